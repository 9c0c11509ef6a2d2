package dev.patchops.contract.model;

import dev.patchops.contract.Limit;
import dev.patchops.contract.Nullable;
import dev.patchops.contract.Pattern;

/** Where the patch lives in version control. */
public record VcsRef(
    @Limit(length = 500) String repositoryUrl,
    @Pattern(Pattern.SHA1_COMMIT) @Limit(length = 40) String commitSha,
    @Nullable @Limit(length = 500) String pullRequestUrl) {}
