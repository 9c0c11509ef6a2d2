package dev.patchops.contract.model;

import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;

/** Where the patch lives in version control. */
public record VcsRef(
    String repositoryUrl,
    @Pattern(Pattern.SHA1_COMMIT) String commitSha,
    @Nullable String pullRequestUrl) {}
