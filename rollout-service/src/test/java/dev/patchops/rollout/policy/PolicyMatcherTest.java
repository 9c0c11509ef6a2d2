package dev.patchops.rollout.policy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.patchops.rollout.canary.AnalysisSpec;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PolicyMatcherTest {
  static final Map<String, String> CHECKOUT = Map.of("app", "checkout", "tier", "web");

  static RolloutPolicy policy(String name, LabelSelector selector, String... deployments) {
    return new RolloutPolicy(
        name,
        1,
        Instant.EPOCH,
        selector,
        List.of(deployments),
        List.of(),
        AnalysisSpec.DEFAULTS,
        null,
        null,
        List.of());
  }

  static LabelSelector labels(Map<String, String> match) {
    return new LabelSelectorBuilder().withMatchLabels(match).build();
  }

  @Test
  void noPolicyOrNoMatchMeansTheDefaults() {
    assertThat(PolicyMatcher.choose(List.of(), "checkout", CHECKOUT))
        .isInstanceOf(PolicyMatcher.Defaults.class);
    assertThat(
            PolicyMatcher.choose(
                List.of(policy("other", labels(Map.of("app", "cart")), "cart")),
                "checkout",
                CHECKOUT))
        .isInstanceOf(PolicyMatcher.Defaults.class);
  }

  @Test
  void aNameBeatsAnySelectorAndMoreRequirementsBeatFewer() {
    var broad = policy("broad", labels(Map.of()));
    var app = policy("app", labels(Map.of("app", "checkout")));
    var web = policy("app-web", labels(CHECKOUT));
    var named = policy("named", null, "checkout");
    assertThat(PolicyMatcher.choose(List.of(broad, app), "checkout", CHECKOUT))
        .isEqualTo(new PolicyMatcher.Matched(app, "selector with 1 requirement(s)"));
    assertThat(PolicyMatcher.choose(List.of(broad, app, web), "checkout", CHECKOUT))
        .extracting(c -> ((PolicyMatcher.Matched) c).policy().name())
        .isEqualTo("app-web");
    assertThat(PolicyMatcher.choose(List.of(web, named, broad), "checkout", CHECKOUT))
        .isEqualTo(new PolicyMatcher.Matched(named, "names the Deployment"));
  }

  @Test
  void anEmptySelectorIsTheNamespacesFallbackAndNoSelectorSelectsNothing() {
    var fallback = policy("fallback", labels(Map.of()));
    assertThat(PolicyMatcher.choose(List.of(fallback), "anything", Map.of()))
        .isEqualTo(new PolicyMatcher.Matched(fallback, "selector with 0 requirement(s)"));
    assertThat(PolicyMatcher.choose(List.of(policy("none", null)), "checkout", CHECKOUT))
        .isInstanceOf(PolicyMatcher.Defaults.class);
  }

  @Test
  void twoEqualMatchesAreRefusedNamingBoth() {
    var a = policy("team-a", labels(Map.of("app", "checkout")));
    var b = policy("team-b", labels(Map.of("tier", "web")));
    PolicyMatcher.Choice choice = PolicyMatcher.choose(List.of(b, a), "checkout", CHECKOUT);
    assertThat(choice).isInstanceOf(PolicyMatcher.Ambiguous.class);
    var ambiguous = (PolicyMatcher.Ambiguous) choice;
    assertThat(ambiguous.policies()).containsExactly("team-a", "team-b");
    assertThat(ambiguous.reason()).contains("team-a, team-b").contains("checkout");
    assertThat(
            PolicyMatcher.choose(
                List.of(policy("n1", null, "checkout"), policy("n2", null, "checkout")),
                "checkout",
                CHECKOUT))
        .isInstanceOf(PolicyMatcher.Ambiguous.class);
  }

  @Test
  void matchExpressionsFollowKubernetes() {
    LabelSelector in =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("In")
            .withValues("web", "api")
            .endMatchExpression()
            .addNewMatchExpression()
            .withKey("legacy")
            .withOperator("DoesNotExist")
            .endMatchExpression()
            .build();
    assertThat(PolicyMatcher.matches(in, CHECKOUT)).isTrue();
    assertThat(PolicyMatcher.matches(in, Map.of("tier", "db"))).isFalse();
    assertThat(PolicyMatcher.matches(in, Map.of("tier", "web", "legacy", "yes"))).isFalse();
    LabelSelector notIn =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("NotIn")
            .withValues("web")
            .endMatchExpression()
            .build();
    assertThat(PolicyMatcher.matches(notIn, CHECKOUT)).isFalse();
    assertThat(PolicyMatcher.matches(notIn, Map.of())).isTrue();
    LabelSelector unknown =
        new LabelSelectorBuilder()
            .addNewMatchExpression()
            .withKey("tier")
            .withOperator("Like")
            .endMatchExpression()
            .build();
    assertThat(PolicyMatcher.matches(unknown, CHECKOUT)).isFalse();
    assertThat(PolicyMatcher.matches(labels(Map.of("app", "checkout")), Map.of("app", "cart")))
        .isFalse();
  }
}
