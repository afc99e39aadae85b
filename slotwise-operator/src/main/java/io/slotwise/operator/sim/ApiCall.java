package io.slotwise.operator.sim;

import java.util.List;
import java.util.Optional;

/**
 * One request to the API server as RBAC sees it: the verb, the API group ({@code ""} for the core
 * group), the resource with its subresource ({@code pods}, {@code redisclusters/status}), and the
 * client's {@code User-Agent}, which tells the operator's requests from the pod simulator's and the
 * tests'. Requests for no resource (discovery, {@code /version}, health) are no ApiCall: every
 * authenticated user may make them (the {@code system:discovery} role), so no Role grants them.
 */
public record ApiCall(String userAgent, String verb, String apiGroup, String resource) {

  /**
   * The RBAC verb of an HTTP request: GET of one object {@code get}, of a collection {@code list},
   * with {@code watch=true} {@code watch}; POST {@code create}; PUT {@code update}; PATCH {@code
   * patch}; DELETE of one object {@code delete}, of a collection {@code deletecollection}. Empty
   * for a request that names no resource.
   */
  public static Optional<ApiCall> of(String method, String pathAndQuery, String userAgent) {
    int q = pathAndQuery.indexOf('?');
    String path = q < 0 ? pathAndQuery : pathAndQuery.substring(0, q);
    String query = q < 0 ? "" : pathAndQuery.substring(q + 1);
    List<String> seg = List.of(path.replaceAll("^/+|/+$", "").split("/+"));
    String group;
    List<String> rest;
    if (seg.size() >= 3 && seg.get(0).equals("api")) {
      group = "";
      rest = seg.subList(2, seg.size());
    } else if (seg.size() >= 4 && seg.get(0).equals("apis")) {
      group = seg.get(1);
      rest = seg.subList(3, seg.size());
    } else {
      return Optional.empty();
    }
    // namespaces/NS/RESOURCE... is a namespaced resource; namespaces[/NAME] is the namespace
    // itself.
    if (rest.size() >= 3 && rest.get(0).equals("namespaces")) {
      rest = rest.subList(2, rest.size());
    }
    boolean collection = rest.size() == 1;
    String resource = rest.get(0) + (rest.size() >= 3 ? "/" + rest.get(2) : "");
    boolean watch =
        List.of(query.split("&")).stream()
            .anyMatch(p -> p.equals("watch=true") || p.equals("watch=1"));
    String verb =
        switch (method) {
          case "GET" -> watch ? "watch" : collection ? "list" : "get";
          case "POST" -> "create";
          case "PUT" -> "update";
          case "PATCH" -> "patch";
          case "DELETE" -> collection ? "deletecollection" : "delete";
          default -> method.toLowerCase(java.util.Locale.ROOT);
        };
    return Optional.of(new ApiCall(userAgent == null ? "" : userAgent, verb, group, resource));
  }
}
