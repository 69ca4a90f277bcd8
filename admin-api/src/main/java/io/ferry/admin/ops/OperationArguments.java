package io.ferry.admin.ops;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.ferry.admin.agent.ClusterSession;
import io.ferry.admin.errors.InvalidArgumentsException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * Validates the arguments of node actions, from OpsCenter's bodies and bulk {@code args}, into the
 * canonical object a {@link Step} stores, before anything runs: an unknown keyspace or table, a
 * field of the wrong type or an unknown field is a 400 naming it.
 *
 * <p>Thread policy: blocking (reads schema metadata); worker pool.
 */
public final class OperationArguments {

  static final ObjectMapper JSON = new ObjectMapper();

  private OperationArguments() {}

  /** {@code {"keyspace": ks or "" for all, "tables": [...]}}, from a body listing tables. */
  public static ObjectNode keyspaceAndTables(
      ClusterSession cluster, String keyspace, JsonNode tables) {
    List<String> names = stringList(tables, "body (the tables)");
    if (!keyspace.isEmpty()) {
      cluster.requireKeyspace(keyspace);
      cluster.requireTables(keyspace, names);
    } else if (!names.isEmpty()) {
      throw new InvalidArgumentsException(
          "tables " + names + " given without a keyspace (expected: a keyspace in the path)");
    }
    ObjectNode arguments = JSON.createObjectNode();
    arguments.put("keyspace", keyspace);
    arguments.set("tables", JSON.valueToTree(names));
    return arguments;
  }

  /**
   * OpsCenter's repair body: {@code is_sequential}, {@code is_local}, {@code primary_range}, {@code
   * cfs}.
   */
  public static ObjectNode repair(ClusterSession cluster, String keyspace, JsonNode body) {
    ObjectNode given = object(body, Set.of("is_sequential", "is_local", "primary_range", "cfs"));
    cluster.requireKeyspace(keyspace);
    List<String> tables = stringList(given.get("cfs"), "cfs");
    cluster.requireTables(keyspace, tables);
    ObjectNode arguments = JSON.createObjectNode();
    arguments.put("keyspace", keyspace);
    arguments.set("tables", JSON.valueToTree(tables));
    arguments.put("is_sequential", bool(given, "is_sequential", true));
    arguments.put("is_local", bool(given, "is_local", false));
    arguments.put("primary_range", bool(given, "primary_range", false));
    return arguments;
  }

  /** {@code drain_first} (stop, restart) and {@code wait_for_cassandra} (start, restart). */
  public static ObjectNode process(NodeAction action, JsonNode body) {
    Set<String> allowed =
        switch (action) {
          case STOP -> Set.of("drain_first");
          case START -> Set.of("wait_for_cassandra");
          default -> Set.of("drain_first", "wait_for_cassandra");
        };
    ObjectNode given = object(body, allowed);
    ObjectNode arguments = JSON.createObjectNode();
    if (allowed.contains("drain_first")) {
      arguments.put("drain_first", bool(given, "drain_first", false));
    }
    if (allowed.contains("wait_for_cassandra")) {
      arguments.put("wait_for_cassandra", bool(given, "wait_for_cassandra", true));
    }
    return arguments;
  }

  /** A new token: the body is a JSON string (or number) holding an integer. */
  public static ObjectNode move(JsonNode body) {
    if (body == null || !(body.isTextual() || body.isIntegralNumber())) {
      throw new InvalidArgumentsException(
          "body: expected the new token as a JSON string, e.g. \"85070591730234615865843651857942052864\"");
    }
    String token = body.asText().trim();
    try {
      new java.math.BigInteger(token);
    } catch (NumberFormatException e) {
      throw new InvalidArgumentsException("token: " + token + " (expected: an integer token)");
    }
    ObjectNode arguments = JSON.createObjectNode();
    arguments.put("token", token);
    return arguments;
  }

  /**
   * A bulk operation's {@code args} for {@code action}: for cleanup, compact and flush the keyspace
   * then tables; for repair the keyspace then an optional repair body; for start, stop and restart
   * an optional body; nothing for perform_gc.
   */
  public static ObjectNode bulk(ClusterSession cluster, NodeAction action, JsonNode args) {
    List<JsonNode> values = new ArrayList<>();
    if (args != null && !args.isNull()) {
      if (!args.isArray()) {
        throw new InvalidArgumentsException("args: expected a JSON list, got " + args);
      }
      args.forEach(values::add);
    }
    return switch (action) {
      case CLEANUP, COMPACT, FLUSH -> {
        String keyspace = values.isEmpty() ? "" : text(values.get(0), "args[0] (the keyspace)");
        ArrayNode tables = JSON.createArrayNode();
        values.stream().skip(1).forEach(tables::add);
        yield keyspaceAndTables(cluster, keyspace, tables);
      }
      case REPAIR -> {
        if (values.isEmpty()) {
          throw new InvalidArgumentsException(
              "args: repair needs the keyspace, e.g. [\"my_keyspace\", {\"is_sequential\": false}]");
        }
        if (values.size() > 2) {
          throw new InvalidArgumentsException(
              "args: expected [keyspace, {repair options}], got " + values.size() + " values");
        }
        yield repair(
            cluster,
            text(values.get(0), "args[0] (the keyspace)"),
            values.size() > 1 ? values.get(1) : null);
      }
      case START, STOP, RESTART -> {
        if (values.size() > 1) {
          throw new InvalidArgumentsException(
              "args: expected at most one object of options for " + action.wireName());
        }
        yield process(action, values.isEmpty() ? null : values.get(0));
      }
      case PERFORM_GC -> {
        if (!values.isEmpty()) {
          throw new InvalidArgumentsException("args: perform_gc takes no arguments");
        }
        yield JSON.createObjectNode();
      }
      default -> throw new InvalidArgumentsException("action: " + action.wireName());
    };
  }

  public static ObjectNode object(JsonNode body, Set<String> allowed) {
    if (body == null || body.isNull() || body.isMissingNode()) {
      return JSON.createObjectNode();
    }
    if (!body.isObject()) {
      throw new InvalidArgumentsException("body: expected a JSON object, got " + body);
    }
    for (Iterator<String> fields = body.fieldNames(); fields.hasNext(); ) {
      String field = fields.next();
      if (!allowed.contains(field)) {
        throw new InvalidArgumentsException(
            "unknown field "
                + field
                + " (expected: "
                + String.join(", ", allowed.stream().sorted().toList())
                + ")");
      }
    }
    return (ObjectNode) body;
  }

  static boolean bool(JsonNode object, String field, boolean fallback) {
    JsonNode value = object.get(field);
    if (value == null || value.isNull()) {
      return fallback;
    }
    if (!value.isBoolean()) {
      throw new InvalidArgumentsException(field + ": " + value + " (expected: true or false)");
    }
    return value.booleanValue();
  }

  public static List<String> stringList(JsonNode list, String what) {
    List<String> values = new ArrayList<>();
    if (list == null || list.isNull() || list.isMissingNode()) {
      return values;
    }
    if (!list.isArray()) {
      throw new InvalidArgumentsException(what + ": expected a JSON list of names, got " + list);
    }
    for (JsonNode value : list) {
      values.add(text(value, what));
    }
    return values;
  }

  static String text(JsonNode value, String what) {
    if (value == null || !value.isTextual()) {
      throw new InvalidArgumentsException(what + ": expected a string, got " + value);
    }
    return value.asText();
  }

  /** The request body as JSON, or {@code null} when it is empty. */
  public static JsonNode body(byte[] body) throws java.io.IOException {
    if (body.length == 0 || new String(body, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
      return null;
    }
    return JSON.readTree(body);
  }
}
