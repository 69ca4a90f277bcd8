package io.ferry.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.ferry.admin.routing.RoutingRoutes;
import io.ferry.proxy.common.ClusterRole;
import io.ferry.proxy.routing.Router;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.UnpooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseDecoder;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fuzzes the admin API with requests to its routes: JSON bodies (or anything else) through the HTTP
 * codec, the body limit, the route table, the routes' handlers and the error mapping, as a
 * connection's pipeline runs them (see {@code proxy-core/FUZZING.md}).
 *
 * <p>Whatever the request: exactly one response; never a 5xx; a 4xx is a JSON object with {@code
 * brief}, {@code message} (what was wrong) and {@code type}; a success is JSON too; and every
 * buffer the pipeline allocated is freed.
 *
 * <p>The input: one byte choosing the route, one byte of options (bits 0-2: another method than the
 * route's; bits 3-4: the content type; bit 5: something after the path), then for each {@code
 * {parameter}} of the route's path its value up to a newline, then (bit 5) what follows the path up
 * to a newline (a query string, say), then the body.
 */
class AdminRequestFuzzTest {

  /**
   * The admin API's routes. A new endpoint is fuzzed once its routes are added here (with test
   * doubles for what it calls).
   */
  private static final List<Route> ROUTES =
      routes(new RoutingRoutes(new Router(ClusterRole.ORIGIN, ClusterRole.ORIGIN)));

  private static List<Route> routes(RoutingRoutes routing) {
    return List.of(
        Route.get(RoutingRoutes.PATH, routing::state),
        Route.put(RoutingRoutes.PATH, routing::update));
  }

  // Not HEAD: the response decoder here cannot know that its answer has no body.
  private static final List<String> OTHER_METHODS =
      List.of("GET", "PUT", "POST", "DELETE", "PATCH", "OPTIONS", "TRACE");

  private static final List<String> CONTENT_TYPES =
      List.of("application/json", "application/json; charset=UTF-8", "text/plain", "");

  private static final ObjectMapper JSON = new ObjectMapper();

  @FuzzTest
  @DictionaryEntries({
    "{\"primary_cluster\": \"TARGET\"}",
    "{\"read_mode\": \"DUAL_ASYNC_ON_SECONDARY\"}",
    "\"primary_cluster\"",
    "\"read_mode\"",
    "\"ORIGIN\"",
    "\"PRIMARY_ONLY\"",
    "null",
    "true",
    "1e999",
    "[]",
    "{}",
    "\\u0000",
    "%zz",
    "%"
  })
  void should_answer_any_request_with_a_result_or_a_json_client_error(byte[] input)
      throws IOException {
    // given
    Route route = ROUTES.get(byteAt(input, 0) % ROUTES.size());
    int options = byteAt(input, 1);
    String method = (options & 0x7) == 0 ? route.method() : OTHER_METHODS.get((options & 0x7) - 1);
    String contentType = CONTENT_TYPES.get(options >> 3 & 0x3);
    int position = Math.min(input.length, 2);
    StringBuilder path = new StringBuilder();
    for (String segment : route.pattern().split("/")) {
      if (segment.isEmpty()) {
        continue;
      }
      path.append('/');
      if (segment.startsWith("{")) {
        position = appendLine(input, position, path);
      } else {
        path.append(segment);
      }
    }
    if ((options & 0x20) != 0) {
      position = appendLine(input, position, path);
    }
    byte[] body = Arrays.copyOfRange(input, position, input.length);
    byte[] request = request(method, path.toString().replaceAll("[\r\n]", ""), contentType, body);
    // when
    UnpooledByteBufAllocator allocator = new UnpooledByteBufAllocator(false);
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(allocator);
    HttpServer.initialize(channel.pipeline(), ROUTES, "", new BrowserGuard("localhost", List.of()));
    channel.writeInbound(allocator.heapBuffer().writeBytes(request));
    List<FullHttpResponse> responses = responses(channel);
    channel.finishAndReleaseAll();
    // then
    try {
      assertThat(responses).as("responses to %s %s", method, path).hasSize(1);
      FullHttpResponse response = responses.get(0);
      int status = response.status().code();
      String text = response.content().toString(StandardCharsets.UTF_8);
      assertThat(status).as("status of %s %s: %s", method, path, text).isLessThan(500);
      assertThat(response.headers().get(HttpHeaderNames.CONTENT_TYPE))
          .startsWith("application/json");
      JsonNode answer = JSON.readTree(text);
      assertThat(answer.isObject()).as("a JSON object: %s", text).isTrue();
      if (status >= 400) {
        for (String field : List.of("brief", "message", "type")) {
          assertThat(answer.path(field).asText()).as("%s of %s", field, text).isNotBlank();
        }
      }
    } finally {
      responses.forEach(FullHttpResponse::release);
    }
    assertThat(allocator.metric().usedHeapMemory() + allocator.metric().usedDirectMemory())
        .as("bytes still allocated once the connection closed")
        .isZero();
  }

  /** Appends the input's bytes up to a newline (as ISO-8859-1); returns the index after it. */
  private static int appendLine(byte[] input, int position, StringBuilder text) {
    int end = position;
    while (end < input.length && input[end] != '\n') {
      end++;
    }
    text.append(new String(input, position, end - position, StandardCharsets.ISO_8859_1));
    return Math.min(input.length, end + 1);
  }

  private static int byteAt(byte[] input, int index) {
    return index < input.length ? input[index] & 0xFF : 0;
  }

  private static byte[] request(String method, String path, String contentType, byte[] body) {
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder();
    head.append(method).append(' ').append(path.isEmpty() ? "/" : path).append(" HTTP/1.1\r\n");
    head.append("Host: localhost\r\n");
    if (!contentType.isEmpty()) {
      head.append("Content-Type: ").append(contentType).append("\r\n");
    }
    head.append("Content-Length: ").append(body.length).append("\r\n\r\n");
    request.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    request.writeBytes(body);
    return request.toByteArray();
  }

  /** What the server wrote, decoded as HTTP responses. */
  private static List<FullHttpResponse> responses(EmbeddedChannel server) {
    EmbeddedChannel client =
        new EmbeddedChannel(new HttpResponseDecoder(), new HttpObjectAggregator(1 << 20));
    for (Object written = server.readOutbound(); written != null; written = server.readOutbound()) {
      ByteBuf bytes = (ByteBuf) written;
      client.writeInbound(bytes);
    }
    client.finish();
    List<FullHttpResponse> responses = new ArrayList<>();
    for (Object read = client.readInbound(); read != null; read = client.readInbound()) {
      responses.add((FullHttpResponse) read);
    }
    return responses;
  }
}
