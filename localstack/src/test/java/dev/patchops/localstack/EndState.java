package dev.patchops.localstack;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.patchops.contract.ContractJson;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The end state of the whole suite as its users and the cluster show it: every ticket with its
 * revisions, fixes, diagnostics, root cause and change record; every rollout, in the list and on
 * its own; every test run; the audit chain's head and latest signed checkpoint; the Deployments,
 * Namespaces, Nodes, Services, ConfigMaps and Secrets of the cluster and the PatchOps custom
 * resources; and from each service's database how many events it has processed (inbox) and written
 * (outbox). Two captures of an unchanged system are equal, field for field.
 */
final class EndState {
  static final String TRACK_LABEL = "patchops.dev/track";
  static final String RUN_LABEL = "patchops.dev/run";
  static final List<String> SERVICES =
      List.of("ticket-service", "test-orchestrator", "rollout-service", "audit-service");

  private final LocalStack stack;
  private final Demo demo;
  private final KubernetesClient kube;
  private final String token;

  EndState(LocalStack stack, Demo demo, KubernetesClient kube) {
    this.stack = stack;
    this.demo = demo;
    this.kube = kube;
    this.token = demo.token("ada", "auditor", "sre");
  }

  /**
   * @param runIds the test runs to read back (the orchestrator has no list endpoint)
   */
  ObjectNode capture(Collection<String> runIds) throws Exception {
    ObjectNode state = ContractJson.mapper().createObjectNode();
    state.set("tickets", tickets());
    String ticketApi = stack.url("ticket-service") + "/api/v1";
    state.set("equipment", get(ticketApi + "/equipment"));
    state.set("freezeWindows", get(ticketApi + "/freeze-windows"));
    state.set("rollouts", rollouts());
    ObjectNode runs = state.putObject("testRuns");
    for (String run : new TreeSet<>(runIds)) {
      runs.set(run, get(stack.url("test-orchestrator") + "/api/v1/test-runs/" + enc(run)));
    }
    state.set("audit", audit());
    state.set("cluster", cluster());
    state.set("databases", databases());
    return state;
  }

  private ObjectNode tickets() throws IOException {
    String api = stack.url("ticket-service") + "/api/v1/tickets";
    String audit = stack.url("audit-service") + "/api/v1/tickets/";
    ObjectNode tickets = ContractJson.mapper().createObjectNode();
    for (int page = 0; ; page++) {
      JsonNode found = get(api + "?size=200&page=" + page);
      for (JsonNode listed : found.path("items")) {
        String id = listed.path("id").asText();
        String one = api + "/" + enc(id);
        ObjectNode t = tickets.putObject(id);
        t.set("listed", listed);
        t.set("view", get(one));
        t.set("revisions", get(one + "/revisions"));
        t.set("hardwareFixes", get(one + "/hardware-fixes"));
        t.set("diagnostics", get(one + "/diagnostics"));
        // A ticket without a root cause answers 404: that answer is part of its state too.
        t.set("rootCause", answer(one + "/root-cause"));
        t.set("changeRecord", get(audit + enc(id) + "/change-record?format=json"));
      }
      if (found.path("items").size() < 200) {
        tickets.put("total", found.path("total").asLong());
        return tickets;
      }
    }
  }

  private ObjectNode rollouts() throws IOException {
    String api = stack.url("rollout-service") + "/api/v1/rollouts";
    ObjectNode rollouts = ContractJson.mapper().createObjectNode();
    JsonNode list = get(api);
    assertThat(list.size()).as("rollouts fit one page of the list").isLessThan(200);
    rollouts.set("list", list);
    ObjectNode each = rollouts.putObject("each");
    for (JsonNode r : list) {
      String id = r.path("id").asText();
      each.set(id, get(api + "/" + enc(id)));
    }
    return rollouts;
  }

  private ObjectNode audit() throws IOException {
    String api = stack.url("audit-service") + "/api/v1/audit";
    ObjectNode audit = ContractJson.mapper().createObjectNode();
    ObjectNode verify = (ObjectNode) get(api + "/verify");
    // The time this verification ran, not a property of the chain: the head's sequence number
    // and hash, which cover every record before it, are compared instead.
    verify.remove("verifiedAt");
    audit.set("verify", verify);
    audit.set("latestCheckpoint", get(api + "/checkpoints/latest"));
    return audit;
  }

  private ObjectNode cluster() {
    ObjectNode cluster = ContractJson.mapper().createObjectNode();
    ObjectNode deployments = cluster.putObject("deployments");
    for (Deployment d : sorted(kube.apps().deployments().inAnyNamespace().list().getItems())) {
      // Status is what the Deployment controller and the kubelet report about Pods; what the
      // services write is the spec, and generation counts every change of it.
      ObjectNode o = deployments.putObject(key(d));
      o.put("generation", d.getMetadata().getGeneration());
      o.set("labels", json(d.getMetadata().getLabels()));
      o.set("annotations", json(d.getMetadata().getAnnotations()));
      o.set("spec", json(d.getSpec()));
    }
    ObjectNode namespaces = cluster.putObject("namespaces");
    for (Namespace ns : sorted(kube.namespaces().list().getItems())) {
      ObjectNode o = namespaces.putObject(ns.getMetadata().getName());
      o.set("labels", json(ns.getMetadata().getLabels()));
      o.put("phase", ns.getStatus() == null ? null : ns.getStatus().getPhase());
    }
    ObjectNode nodes = cluster.putObject("nodes");
    for (Node n : sorted(kube.nodes().list().getItems())) {
      // The spec only: the simulated kubelet's heartbeats move the status on their own.
      nodes.set(n.getMetadata().getName(), json(n.getSpec()));
    }
    ObjectNode shop = cluster.putObject(Sandbox.NAMESPACE);
    ObjectNode services = shop.putObject("services");
    kube.services()
        .inNamespace(Sandbox.NAMESPACE)
        .list()
        .getItems()
        .forEach(
            s ->
                services
                    .putObject(s.getMetadata().getName())
                    .<ObjectNode>set("labels", json(s.getMetadata().getLabels()))
                    .set("spec", json(s.getSpec())));
    ObjectNode configMaps = shop.putObject("configMaps");
    kube.configMaps()
        .inNamespace(Sandbox.NAMESPACE)
        .list()
        .getItems()
        .forEach(c -> configMaps.set(c.getMetadata().getName(), json(c.getData())));
    ObjectNode secrets = shop.putObject("secrets");
    kube.secrets()
        .inNamespace(Sandbox.NAMESPACE)
        .list()
        .getItems()
        .forEach(s -> secrets.set(s.getMetadata().getName(), json(s.getData())));
    ObjectNode custom = cluster.putObject("customResources");
    for (CustomResourceDefinition crd :
        kube.apiextensions().v1().customResourceDefinitions().list().getItems()) {
      if (!crd.getSpec().getGroup().endsWith("patchops.dev")) {
        continue;
      }
      String version =
          crd.getSpec().getVersions().stream()
              .filter(v -> Boolean.TRUE.equals(v.getStorage()))
              .findFirst()
              .orElseThrow()
              .getName();
      var resources =
          kube.genericKubernetesResources(
              new ResourceDefinitionContext.Builder()
                  .withGroup(crd.getSpec().getGroup())
                  .withVersion(version)
                  .withKind(crd.getSpec().getNames().getKind())
                  .withPlural(crd.getSpec().getNames().getPlural())
                  .withNamespaced("Namespaced".equals(crd.getSpec().getScope()))
                  .build());
      List<GenericKubernetesResource> items =
          "Namespaced".equals(crd.getSpec().getScope())
              ? resources.inAnyNamespace().list().getItems()
              : resources.list().getItems();
      ObjectNode kind = custom.putObject(crd.getMetadata().getName());
      for (GenericKubernetesResource r : sorted(items)) {
        ObjectNode o = kind.putObject(key(r));
        o.put("generation", r.getMetadata().getGeneration());
        o.set("labels", json(r.getMetadata().getLabels()));
        o.set("spec", json(r.getAdditionalProperties().get("spec")));
        o.set("status", json(r.getAdditionalProperties().get("status")));
      }
    }
    return cluster;
  }

  /**
   * Per service: the events each consumer processed a first time (inbox rows), the events the
   * service wrote (the outbox's per-key sequence numbers, which sent rows' cleanup does not lower
   * and a rolled-back transaction does not raise), and what its outbox set aside.
   */
  private ObjectNode databases() throws SQLException {
    ObjectNode databases = ContractJson.mapper().createObjectNode();
    for (String service : SERVICES) {
      ObjectNode db = databases.putObject(service);
      try (Connection c = stack.databaseConnection(service);
          Statement st = c.createStatement()) {
        ObjectNode inbox = db.putObject("inboxByConsumer");
        try (ResultSet rs =
            st.executeQuery(
                "select consumer, count(*) from inbox_event group by consumer order by consumer")) {
          while (rs.next()) {
            inbox.put(rs.getString(1), rs.getLong(2));
          }
        }
        try (ResultSet rs =
            st.executeQuery("select count(*), coalesce(sum(seq), 0) from outbox_key_seq")) {
          rs.next();
          db.put("outboxKeys", rs.getLong(1)).put("outboxEventsWritten", rs.getLong(2));
        }
        try (ResultSet rs = st.executeQuery("select count(*) from outbox_dead_letter")) {
          rs.next();
          db.put("outboxDeadLetters", rs.getLong(1));
        }
        if ("audit-service".equals(service)) {
          try (ResultSet rs = st.executeQuery("select count(*), max(seq) from audit_record")) {
            rs.next();
            db.put("auditRecords", rs.getLong(1)).put("auditHeadSeq", rs.getLong(2));
          }
        }
      }
    }
    return databases;
  }

  /** Canary Deployments or Services, or mirror and burn-in namespaces, left in the cluster. */
  List<String> orphans() {
    List<String> found = new ArrayList<>();
    kube.apps()
        .deployments()
        .inAnyNamespace()
        .withLabel(TRACK_LABEL, "canary")
        .list()
        .getItems()
        .forEach(d -> found.add("canary Deployment " + key(d)));
    kube.services()
        .inAnyNamespace()
        .withLabel(TRACK_LABEL, "canary")
        .list()
        .getItems()
        .forEach(s -> found.add("canary Service " + key(s)));
    kube.namespaces()
        .withLabel(RUN_LABEL)
        .list()
        .getItems()
        .forEach(ns -> found.add("test namespace " + ns.getMetadata().getName()));
    return found;
  }

  /** Where two captures differ, one line per differing leaf (at most {@code max}). */
  static List<String> differences(JsonNode before, JsonNode after, int max) {
    List<String> out = new ArrayList<>();
    diff("", before, after, out, max);
    return out;
  }

  private static void diff(String path, JsonNode a, JsonNode b, List<String> out, int max) {
    if (out.size() >= max || a.equals(b)) {
      return;
    }
    if (a.isObject() && b.isObject()) {
      Set<String> names = new TreeSet<>();
      a.fieldNames().forEachRemaining(names::add);
      b.fieldNames().forEachRemaining(names::add);
      for (String name : names) {
        diff(
            path + "/" + name,
            a.has(name) ? a.get(name) : missing(),
            b.has(name) ? b.get(name) : missing(),
            out,
            max);
      }
    } else if (a.isArray() && b.isArray() && a.size() == b.size()) {
      Iterator<JsonNode> ia = a.elements();
      Iterator<JsonNode> ib = b.elements();
      for (int i = 0; ia.hasNext(); i++) {
        diff(path + "/" + i, ia.next(), ib.next(), out, max);
      }
    } else {
      out.add(path + ": " + cap(a) + " -> " + cap(b));
    }
  }

  private static JsonNode missing() {
    return ContractJson.mapper().getNodeFactory().textNode("<absent>");
  }

  private static String cap(JsonNode n) {
    String s = n.toString();
    return s.length() <= 300 ? s : s.substring(0, 300) + "...";
  }

  private JsonNode get(String url) {
    // The audit-service walks its chain one caller at a time; its own scheduled self-check may
    // hold the walk when we ask, and says so with a 429: ask again until it is ours.
    HttpResponse<String> response =
        await()
            .alias("GET " + url + " answered other than 429")
            .atMost(Duration.ofMinutes(2))
            .pollInterval(Duration.ofMillis(500))
            .until(
                () -> demo.send(HttpRequest.newBuilder(URI.create(url)).GET(), token),
                r -> r.statusCode() != 429);
    try {
      return Demo.expect(response, 200, "GET " + url);
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  private JsonNode answer(String url) throws IOException {
    HttpResponse<String> response = demo.send(HttpRequest.newBuilder(URI.create(url)).GET(), token);
    assertThat(response.statusCode()).as("GET " + url).isIn(200, 404);
    ObjectNode o = ContractJson.mapper().createObjectNode();
    o.put("status", response.statusCode());
    o.set(
        "body",
        response.body().isEmpty()
            ? ContractJson.mapper().nullNode()
            : ContractJson.mapper().readTree(response.body()));
    return o;
  }

  private static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  private static JsonNode json(Object o) {
    return o == null ? ContractJson.mapper().nullNode() : ContractJson.mapper().valueToTree(o);
  }

  private static String key(HasMetadata o) {
    return o.getMetadata().getNamespace() == null
        ? o.getMetadata().getName()
        : o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }

  private static <T extends HasMetadata> List<T> sorted(List<T> items) {
    List<T> copy = new ArrayList<>(items);
    copy.sort(Comparator.comparing(EndState::key));
    return copy;
  }
}
