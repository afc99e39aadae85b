package io.slotwise.operator.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.fabric8.mockwebserver.dsl.HttpMethod;
import io.fabric8.mockwebserver.http.Buffer;
import io.fabric8.mockwebserver.http.Headers;
import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The address kubectl talks to (the kubeconfig's server): an HTTP/1.1 front of the mock store,
 * answering in-process what the store cannot, so that the usual kubectl commands work:
 *
 * <ul>
 *   <li>Table responses ({@code Accept: ...;as=Table}), hence printer columns in {@code kubectl
 *       get}; see {@link Tables};
 *   <li>watches as an HTTP stream of JSON events ({@code ?watch=true} without a WebSocket), hence
 *       {@code kubectl get -w}: the front lists the resource every {@link #WATCH_POLL} and sends
 *       what changed (ADDED, MODIFIED, DELETED; no bookmarks);
 *   <li>OpenAPI v3 documents that say every resource accepts {@code fieldValidation}, so that
 *       {@code kubectl apply} validates on the "server" (which admits anything) instead of refusing
 *       for want of a schema;
 *   <li>field selectors on any field ({@code kubectl describe} lists a resource's events with
 *       {@code involvedObject.*}), where the store knows only {@code metadata.name/namespace}.
 * </ul>
 *
 * Everything else is passed to the store as it is. No WebSocket: fabric8 clients use {@link
 * SimulatedKubernetes#clientConfig()}, the store's own address.
 */
final class KubectlFront implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(KubectlFront.class);
  static final Duration WATCH_POLL = Duration.ofMillis(300);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  private static final Map<String, String> BUILT_IN_KINDS =
      Map.of(
          "pods", "Pod",
          "statefulsets", "StatefulSet",
          "services", "Service",
          "persistentvolumeclaims", "PersistentVolumeClaim",
          "events", "Event");

  private final DiscoveryDispatcher dispatcher;
  private final HttpServer http;
  private final ExecutorService pool;
  private volatile boolean closed;
  private volatile java.util.function.BiFunction<
          String, String, java.util.Optional<java.nio.file.Path>>
      podLogs = (ns, pod) -> java.util.Optional.empty();

  private KubectlFront(DiscoveryDispatcher dispatcher, HttpServer http, ExecutorService pool) {
    this.dispatcher = dispatcher;
    this.http = http;
    this.pool = pool;
  }

  static KubectlFront start(DiscoveryDispatcher dispatcher) {
    try {
      HttpServer http =
          HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
      ExecutorService pool =
          Executors.newCachedThreadPool(
              r -> {
                Thread t = new Thread(r, "kubectl-front");
                t.setDaemon(true);
                return t;
              });
      KubectlFront front = new KubectlFront(dispatcher, http, pool);
      http.setExecutor(pool);
      http.createContext("/", front::handle);
      http.start();
      return front;
    } catch (IOException e) {
      throw new java.io.UncheckedIOException("cannot start the kubectl front", e);
    }
  }

  void podLogs(
      java.util.function.BiFunction<String, String, java.util.Optional<java.nio.file.Path>> logs) {
    this.podLogs = logs;
  }

  String url() {
    return "http://127.0.0.1:" + http.getAddress().getPort();
  }

  @Override
  public void close() {
    closed = true;
    http.stop(0);
    pool.shutdownNow();
  }

  /** The parts of a resource path: group/version, namespace, plural, name, subresource. */
  record Target(String group, String version, String namespace, String plural, String name) {
    static Target parse(String path) {
      String[] s = path.replaceAll("^/+|/+$", "").split("/");
      int i;
      String group;
      String version;
      if (s.length >= 2 && s[0].equals("api")) {
        group = "";
        version = s[1];
        i = 2;
      } else if (s.length >= 3 && s[0].equals("apis")) {
        group = s[1];
        version = s[2];
        i = 3;
      } else {
        return null;
      }
      String ns = null;
      if (s.length >= i + 3 && s[i].equals("namespaces")) {
        ns = s[i + 1];
        i += 2;
      }
      if (s.length <= i) {
        return null;
      }
      String plural = s[i];
      String name = s.length > i + 1 ? s[i + 1] : null;
      if (s.length > i + 2) {
        return null; // a subresource
      }
      return new Target(group, version, ns, plural, name);
    }
  }

  private void handle(HttpExchange ex) throws IOException {
    try (ex) {
      String method = ex.getRequestMethod().toUpperCase(Locale.ROOT);
      String path = ex.getRequestURI().getRawPath();
      String rawQuery = ex.getRequestURI().getRawQuery();
      Map<String, String> query = query(rawQuery);
      String accept = String.join(",", ex.getRequestHeaders().getOrDefault("Accept", List.of()));
      boolean table = accept.contains("as=Table");
      if (method.equals("GET") && path.startsWith("/openapi/v3")) {
        openApi(ex, path);
        return;
      }
      String[] sub = subresource(path);
      if (sub != null && !sub[2].equals("status") && !sub[2].equals("scale")) {
        subresource(ex, method, sub);
        return;
      }
      String contentType =
          String.join(",", ex.getRequestHeaders().getOrDefault("Content-Type", List.of()));
      if (contentType.contains("protobuf")) {
        status(
            ex,
            415,
            "UnsupportedMediaType",
            "the simulation stores JSON only, and this request is protobuf (kubectl create"
                + " configmap/secret/namespace ... send it): write the object to a file and use"
                + " kubectl apply -f FILE");
        return;
      }
      Target target = Target.parse(path);
      if (method.equals("GET")
          && target != null
          && ("true".equals(query.get("watch")) || "1".equals(query.get("watch")))) {
        watch(ex, target, path, query, table);
        return;
      }
      byte[] body;
      try (InputStream in = ex.getRequestBody()) {
        body = in.readAllBytes();
      }
      if ((method.equals("POST") || method.equals("PUT")) && target != null && body.length > 0) {
        body = withDefaults(target, body);
      }
      Headers.Builder headers = Headers.builder();
      ex.getRequestHeaders()
          .forEach((k, vs) -> vs.forEach(v -> headers.add(k.toLowerCase(Locale.ROOT), v)));
      String forwarded = rawQuery;
      if (method.equals("GET") && query.containsKey("fieldSelector")) {
        // The store answers nothing for a field it does not know: it gets only the ones it
        // knows, the rest is filtered here.
        forwarded = storeQuery(query);
      }
      MockResponse r =
          dispatcher.dispatch(
              new RecordedRequest(
                  "HTTP/1.1",
                  HttpMethod.valueOf(method),
                  forwarded == null || forwarded.isEmpty() ? path : path + "?" + forwarded,
                  headers.build(),
                  new Buffer(body)));
      byte[] out = r.getBody() == null ? new byte[0] : r.getBody().getBytes();
      String type = r.header("Content-Type");
      if (method.equals("GET") && r.code() == 200 && target != null && out.length > 0) {
        JsonNode n = JSON.readTree(out);
        if (n.isObject()) {
          n = shape((ObjectNode) n, target, query, table);
          out = JSON.writeValueAsBytes(n);
          type = "application/json";
        }
      }
      ex.getResponseHeaders().set("Content-Type", type == null ? "application/json" : type);
      ex.sendResponseHeaders(r.code(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = ex.getResponseBody()) {
          os.write(out);
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("kubectl front: {} {} failed", ex.getRequestMethod(), ex.getRequestURI(), e);
      throw e;
    }
  }

  /** {namespace, pod, subresource} of /api/v1/namespaces/NS/pods/NAME/SUB, else null. */
  private static String[] subresource(String path) {
    String[] s = path.replaceAll("^/+|/+$", "").split("/");
    if (s.length == 7 && s[0].equals("api") && s[2].equals("namespaces") && s[4].equals("pods")) {
      return new String[] {s[3], s[5], s[6]};
    }
    return null;
  }

  /** {@code kubectl logs} from the pod's redis log; exec, attach, port-forward are refused. */
  private void subresource(HttpExchange ex, String method, String[] sub) throws IOException {
    if (sub[2].equals("log") && method.equals("GET")) {
      java.util.Optional<java.nio.file.Path> log = podLogs.apply(sub[0], sub[1]);
      if (log.isPresent() && java.nio.file.Files.isRegularFile(log.get())) {
        byte[] body = java.nio.file.Files.readAllBytes(log.get());
        ex.getResponseHeaders().set("Content-Type", "text/plain");
        ex.sendResponseHeaders(200, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
          try (OutputStream os = ex.getResponseBody()) {
            os.write(body);
          }
        }
        return;
      }
      status(ex, 404, "NotFound", "pod " + sub[1] + " has no running container (no log yet)");
      return;
    }
    status(
        ex,
        405,
        "MethodNotAllowed",
        "pods/"
            + sub[2]
            + " is not available in the simulation (there is no kubelet): connect with"
            + " redis-cli -c -h POD_IP -p PORT instead");
  }

  private static void status(HttpExchange ex, int code, String reason, String message)
      throws IOException {
    ObjectNode s = F.objectNode();
    s.put("kind", "Status");
    s.put("apiVersion", "v1");
    s.putObject("metadata");
    s.put("status", "Failure");
    s.put("message", message);
    s.put("reason", reason);
    s.put("code", code);
    byte[] body = JSON.writeValueAsBytes(s);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(code, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  /** A list or object as kubectl asked: field selector applied, as a Table when asked. */
  private ObjectNode shape(ObjectNode n, Target target, Map<String, String> query, boolean table) {
    boolean list = n.has("items") && n.get("items").isArray();
    List<JsonNode> items = new ArrayList<>();
    if (list) {
      String selector = query.get("fieldSelector");
      for (JsonNode item : n.get("items")) {
        if (selector == null || fieldsMatch(item, selector)) {
          items.add(item);
        }
      }
      ArrayNode kept = F.arrayNode();
      items.forEach(kept::add);
      n.set("items", kept);
      if (n.path("kind").asText().equals("List")) {
        // Typed clients (kubectl describe's event search) want PodList, EventList, ...
        String kind = kindOf(target, items);
        if (kind != null) {
          n.put("kind", kind + "List");
        }
      }
      ObjectNode meta = n.with("metadata");
      if (meta.path("resourceVersion").asText("").isEmpty()) {
        meta.put("resourceVersion", Long.toString(maxVersion(items)));
      }
    } else {
      items.add(n);
    }
    if (!table) {
      return n;
    }
    String rv =
        list
            ? n.path("metadata").path("resourceVersion").asText()
            : n.path("metadata").path("resourceVersion").asText("");
    return Tables.table(
        columnsFor(target, items), items, rv, "Object".equals(query.get("includeObject")));
  }

  private List<Tables.Column> columnsFor(Target target, List<JsonNode> items) {
    JsonNode crd = crd(target.group(), target.plural());
    if (crd != null) {
      for (JsonNode v : crd.path("spec").path("versions")) {
        if (v.path("name").asText().equals(target.version())) {
          return Tables.columns(
              crd.path("spec").path("names").path("kind").asText(),
              v.path("additionalPrinterColumns"));
        }
      }
    }
    String kind = BUILT_IN_KINDS.get(target.plural());
    if (kind == null && !items.isEmpty()) {
      kind = items.get(0).path("kind").asText("");
    }
    return Tables.columns(kind == null ? "" : kind, null);
  }

  /**
   * A custom resource with its schema's defaults filled in, as the API server does on create and
   * update (the store does not); the body unchanged when it is not a JSON custom resource.
   */
  private byte[] withDefaults(Target target, byte[] body) {
    if (target.group().isEmpty()) {
      return body;
    }
    JsonNode crd = crd(target.group(), target.plural());
    if (crd == null) {
      return body;
    }
    try {
      JsonNode object = JSON.readTree(body);
      if (!object.isObject()) {
        return body;
      }
      for (JsonNode v : crd.path("spec").path("versions")) {
        if (v.path("name").asText().equals(target.version())) {
          applyDefaults(object, v.path("schema").path("openAPIV3Schema"));
          return JSON.writeValueAsBytes(object);
        }
      }
      return body;
    } catch (IOException notJson) {
      return body;
    }
  }

  static void applyDefaults(JsonNode node, JsonNode schema) {
    if (node.isObject()) {
      ObjectNode o = (ObjectNode) node;
      var props = schema.path("properties").fields();
      while (props.hasNext()) {
        var p = props.next();
        if (p.getKey().equals("metadata")) {
          continue;
        }
        JsonNode value = o.get(p.getKey());
        if (value == null && p.getValue().has("default")) {
          value = p.getValue().get("default").deepCopy();
          o.set(p.getKey(), value);
        }
        if (value != null) {
          applyDefaults(value, p.getValue());
        }
      }
    } else if (node.isArray() && schema.has("items")) {
      for (JsonNode e : node) {
        applyDefaults(e, schema.get("items"));
      }
    }
  }

  private String kindOf(Target target, List<JsonNode> items) {
    if (!items.isEmpty() && items.get(0).hasNonNull("kind")) {
      return items.get(0).get("kind").asText();
    }
    String gvPath =
        target.group().isEmpty()
            ? "/api/" + target.version()
            : "/apis/" + target.group() + "/" + target.version();
    for (JsonNode r : resources(gvPath)) {
      if (r.path("name").asText().equals(target.plural())) {
        return r.path("kind").asText();
      }
    }
    return null;
  }

  private JsonNode crd(String group, String plural) {
    if (group.isEmpty()) {
      return null;
    }
    JsonNode list = get("/apis/apiextensions.k8s.io/v1/customresourcedefinitions");
    for (JsonNode crd : list.path("items")) {
      if (crd.path("spec").path("group").asText().equals(group)
          && crd.path("spec").path("names").path("plural").asText().equals(plural)) {
        return crd;
      }
    }
    return null;
  }

  private JsonNode get(String path) {
    MockResponse r =
        dispatcher.dispatch(
            new RecordedRequest(
                "HTTP/1.1", HttpMethod.GET, path, Headers.builder().build(), new Buffer()));
    if (r.code() != 200 || r.getBody() == null) {
      return F.missingNode();
    }
    try {
      return JSON.readTree(r.getBody().getBytes());
    } catch (IOException e) {
      return F.missingNode();
    }
  }

  private static long version(JsonNode o) {
    try {
      return Long.parseLong(o.path("metadata").path("resourceVersion").asText("0"));
    } catch (NumberFormatException e) {
      return 0;
    }
  }

  private static long maxVersion(List<JsonNode> items) {
    long max = 1;
    for (JsonNode i : items) {
      max = Math.max(max, version(i));
    }
    return max;
  }

  /** {@code a.b=x,c!=y}: each term compared with the field's text (missing is ""). */
  static boolean fieldsMatch(JsonNode o, String selector) {
    for (String term : selector.split(",")) {
      String t = term.trim();
      if (t.isEmpty()) {
        continue;
      }
      boolean negate = t.contains("!=");
      String[] kv = t.split(negate ? "!=" : "==?", 2);
      if (kv.length != 2) {
        continue;
      }
      JsonNode v = JsonPath.first(o, "." + kv[0].trim());
      String actual = v.isMissingNode() || v.isNull() ? "" : v.asText();
      if (actual.equals(kv[1].trim()) == negate) {
        return false;
      }
    }
    return true;
  }

  /** The query for the store: field selector terms other than metadata.name/namespace dropped. */
  private static String storeQuery(Map<String, String> query) {
    StringBuilder out = new StringBuilder();
    for (var e : query.entrySet()) {
      String v = e.getValue();
      if (e.getKey().equals("fieldSelector")) {
        List<String> known = new ArrayList<>();
        for (String term : v.split(",")) {
          String t = term.trim();
          if (t.startsWith("metadata.name=") || t.startsWith("metadata.namespace=")) {
            known.add(t);
          }
        }
        if (known.isEmpty()) {
          continue;
        }
        v = String.join(",", known);
      }
      out.append(out.length() == 0 ? "" : "&")
          .append(java.net.URLEncoder.encode(e.getKey(), StandardCharsets.UTF_8))
          .append('=')
          .append(java.net.URLEncoder.encode(v, StandardCharsets.UTF_8));
    }
    return out.toString();
  }

  private static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String kv : raw.split("&")) {
      int eq = kv.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? kv : kv.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(kv.substring(eq + 1), StandardCharsets.UTF_8);
      out.put(k, v);
    }
    return out;
  }

  /** A watch as kubectl makes it: one JSON event per line, until the client goes or time's up. */
  private void watch(
      HttpExchange ex, Target target, String path, Map<String, String> query, boolean table)
      throws IOException {
    if (target.name() != null) {
      // GET .../plural/name?watch=true (old style): watch the collection for that name.
      path = path.substring(0, path.lastIndexOf('/'));
      String selector = "metadata.name=" + target.name();
      query.merge("fieldSelector", selector, (a, b) -> a + "," + b);
    }
    StringBuilder listQuery = new StringBuilder();
    for (String k : List.of("labelSelector")) {
      if (query.containsKey(k)) {
        listQuery
            .append(listQuery.length() == 0 ? "?" : "&")
            .append(k)
            .append('=')
            .append(java.net.URLEncoder.encode(query.get(k), StandardCharsets.UTF_8));
      }
    }
    String listPath = path + listQuery;
    String selector = query.get("fieldSelector");
    long since = 0;
    try {
      since = Long.parseLong(query.getOrDefault("resourceVersion", "0"));
    } catch (NumberFormatException e) {
      since = 0;
    }
    long deadline =
        query.containsKey("timeoutSeconds")
            ? System.nanoTime()
                + TimeUnit.SECONDS.toNanos(Long.parseLong(query.get("timeoutSeconds")))
            : Long.MAX_VALUE;
    boolean full = "Object".equals(query.get("includeObject"));
    boolean initialEvents = "true".equals(query.get("sendInitialEvents"));
    if (initialEvents) {
      since = 0;
    }
    Target collection =
        new Target(target.group(), target.version(), target.namespace(), target.plural(), null);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, 0);
    Map<String, JsonNode> seen = new LinkedHashMap<>();
    boolean first = true;
    try (OutputStream os = ex.getResponseBody()) {
      while (!closed && System.nanoTime() < deadline) {
        JsonNode list = get(listPath);
        Map<String, JsonNode> now = new LinkedHashMap<>();
        for (JsonNode item : list.path("items")) {
          if (selector == null || fieldsMatch(item, selector)) {
            now.put(key(item), item);
          }
        }
        List<Map.Entry<String, JsonNode>> events = new ArrayList<>();
        for (var e : now.entrySet()) {
          JsonNode before = seen.get(e.getKey());
          if (first) {
            if (since == 0 || version(e.getValue()) > since) {
              events.add(Map.entry("ADDED", e.getValue()));
            }
          } else if (before == null) {
            events.add(Map.entry("ADDED", e.getValue()));
          } else if (version(before) != version(e.getValue())) {
            events.add(Map.entry("MODIFIED", e.getValue()));
          }
        }
        if (!first) {
          for (var e : seen.entrySet()) {
            if (!now.containsKey(e.getKey())) {
              events.add(Map.entry("DELETED", e.getValue()));
            }
          }
        }
        for (var e : events) {
          ObjectNode event = F.objectNode();
          event.put("type", e.getKey());
          JsonNode object = e.getValue();
          if (table) {
            object =
                Tables.table(
                    columnsFor(collection, List.of(object)),
                    List.of(object),
                    Long.toString(version(object)),
                    full);
          }
          event.set("object", object);
          os.write(JSON.writeValueAsBytes(event));
          os.write('\n');
        }
        if (first && initialEvents) {
          // The watch-list protocol (kubectl wait, client-go informers): a bookmark marks the
          // end of the initial state.
          ObjectNode bookmark = F.objectNode();
          bookmark.put("type", "BOOKMARK");
          ObjectNode o = bookmark.putObject("object");
          String kind = kindOf(collection, new ArrayList<>(now.values()));
          o.put("kind", kind == null ? "" : kind);
          o.put(
              "apiVersion",
              target.group().isEmpty()
                  ? target.version()
                  : target.group() + "/" + target.version());
          ObjectNode meta = o.putObject("metadata");
          meta.put("resourceVersion", Long.toString(maxVersion(new ArrayList<>(now.values()))));
          meta.putObject("annotations").put("k8s.io/initial-events-end", "true");
          os.write(JSON.writeValueAsBytes(bookmark));
          os.write('\n');
        }
        os.flush();
        seen = now;
        first = false;
        try {
          Thread.sleep(WATCH_POLL.toMillis());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return;
        }
      }
    } catch (IOException gone) {
      // kubectl went away (Ctrl-C): the watch ends
    }
  }

  private static String key(JsonNode o) {
    JsonNode m = o.path("metadata");
    return m.path("namespace").asText("") + "/" + m.path("name").asText("");
  }

  /**
   * OpenAPI v3: the root lists every group/version; each says its resources take fieldValidation.
   */
  private void openApi(HttpExchange ex, String path) throws IOException {
    Map<String, List<JsonNode>> groupVersions = new LinkedHashMap<>();
    groupVersions.put("api/v1", resources("/api/v1"));
    for (JsonNode g : get("/apis").path("groups")) {
      for (JsonNode v : g.path("versions")) {
        String gv = v.path("groupVersion").asText();
        groupVersions.put("apis/" + gv, resources("/apis/" + gv));
      }
    }
    String rest = path.substring("/openapi/v3".length()).replaceAll("^/+|/+$", "");
    ObjectNode doc = F.objectNode();
    if (rest.isEmpty()) {
      ObjectNode paths = doc.putObject("paths");
      for (String gv : groupVersions.keySet()) {
        paths.putObject(gv).put("serverRelativeURL", "/openapi/v3/" + gv + "?hash=simulated");
      }
    } else if (groupVersions.containsKey(rest)) {
      doc = groupVersionDoc(rest, groupVersions.get(rest));
    } else {
      byte[] body =
          "{\"kind\":\"Status\",\"apiVersion\":\"v1\",\"status\":\"Failure\",\"reason\":\"NotFound\",\"code\":404}"
              .getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", "application/json");
      ex.sendResponseHeaders(404, body.length);
      ex.getResponseBody().write(body);
      return;
    }
    byte[] body = JSON.writeValueAsBytes(doc);
    ex.getResponseHeaders().set("Content-Type", "application/json");
    ex.sendResponseHeaders(200, body.length);
    try (OutputStream os = ex.getResponseBody()) {
      os.write(body);
    }
  }

  private List<JsonNode> resources(String discoveryPath) {
    List<JsonNode> out = new ArrayList<>();
    for (JsonNode r : get(discoveryPath).path("resources")) {
      if (!r.path("name").asText().contains("/")) {
        out.add(r);
      }
    }
    return out;
  }

  private ObjectNode groupVersionDoc(String gvPath, List<JsonNode> resources) {
    String gv = gvPath.startsWith("api/") ? gvPath.substring(4) : gvPath.substring(5);
    String group = gv.contains("/") ? gv.substring(0, gv.indexOf('/')) : "";
    String version = gv.contains("/") ? gv.substring(gv.indexOf('/') + 1) : gv;
    ObjectNode doc = F.objectNode();
    doc.put("openapi", "3.0.0");
    doc.putObject("info").put("title", "Slotwise simulation").put("version", "simulated");
    ObjectNode paths = doc.putObject("paths");
    ObjectNode schemas = doc.putObject("components").putObject("schemas");
    for (JsonNode r : resources) {
      String plural = r.path("name").asText();
      String kind = r.path("kind").asText();
      boolean namespaced = r.path("namespaced").asBoolean();
      ObjectNode gvk = F.objectNode().put("group", group).put("version", version).put("kind", kind);
      String base =
          "/" + gvPath + (namespaced ? "/namespaces/{namespace}/" : "/") + plural + "/{name}";
      ObjectNode patch = paths.putObject(base).putObject("patch");
      patch.set("x-kubernetes-group-version-kind", gvk);
      ArrayNode params = patch.putArray("parameters");
      for (String p : List.of("fieldValidation", "fieldManager", "dryRun")) {
        params
            .addObject()
            .put("name", p)
            .put("in", "query")
            .putObject("schema")
            .put("type", "string");
      }
      String schemaName =
          (group.isEmpty() ? "io.k8s.api.core" : group) + "." + version + "." + kind;
      ObjectNode schema = schemaOf(group, version, plural);
      ArrayNode gvks = schema.putArray("x-kubernetes-group-version-kind");
      gvks.add(gvk);
      schemas.set(schemaName, schema);
    }
    return doc;
  }

  /** The CRD's schema for custom resources; an open object for the built-in kinds. */
  private ObjectNode schemaOf(String group, String version, String plural) {
    JsonNode crd = crd(group, plural);
    if (crd != null) {
      for (JsonNode v : crd.path("spec").path("versions")) {
        JsonNode s = v.path("schema").path("openAPIV3Schema");
        if (v.path("name").asText().equals(version) && s.isObject()) {
          return ((ObjectNode) s).deepCopy();
        }
      }
    }
    ObjectNode open = F.objectNode();
    open.put("type", "object");
    open.put("x-kubernetes-preserve-unknown-fields", true);
    return open;
  }
}
