package io.ferry.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HttpServerTest {

  private HttpServer server;
  private final HttpClient client = HttpClient.newHttpClient();

  record Body(String name) {}

  @BeforeEach
  void start() {
    server =
        HttpServer.start(
            "test",
            "127.0.0.1",
            0,
            List.of(
                Route.get(
                    "/{cluster_id}/ops/gc/{ip}",
                    request -> io.ferry.admin.http.HttpResponse.ok(request.pathParameters())),
                Route.post(
                    "/echo",
                    request ->
                        io.ferry.admin.http.HttpResponse.ok(
                            Map.of("name", HttpServer.readJson(request, Body.class).name()))),
                Route.get(
                    "/invalid",
                    request -> {
                      throw new IllegalArgumentException("keyspace must be specified");
                    }),
                Route.get(
                    "/broken",
                    request -> {
                      throw new IllegalStateException("boom");
                    })));
  }

  @AfterEach
  void stop() {
    server.close();
  }

  private HttpResponse<String> send(String method, String path, String body) throws Exception {
    return client.send(
        java.net.http.HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + server.address().getPort() + path))
            .method(method, body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void should_route_with_path_parameters_and_answer_json() throws Exception {
    // when
    HttpResponse<String> response = send("GET", "/origin/ops/gc/10.0.0.1", null);
    // then
    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.headers().firstValue("content-type")).contains("application/json");
    assertThat(response.body())
        .contains("\"cluster_id\":\"origin\"")
        .contains("\"ip\":\"10.0.0.1\"");
  }

  @Test
  void should_answer_unknown_paths_and_methods_with_opscenter_shaped_errors() throws Exception {
    // when
    HttpResponse<String> unknown = send("GET", "/nothing", null);
    HttpResponse<String> wrongMethod = send("DELETE", "/echo", null);
    // then
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body())
        .isEqualTo(
            "{\"brief\":\"Not Found\",\"message\":\"no such endpoint: GET /nothing\",\"type\":\"NotFound\"}");
    assertThat(wrongMethod.statusCode()).isEqualTo(405);
    assertThat(wrongMethod.body()).contains("\"type\":\"MethodNotAllowed\"");
  }

  @Test
  void should_map_bad_input_to_400_and_failures_to_500() throws Exception {
    // when
    HttpResponse<String> malformed = send("POST", "/echo", "{\"name\": ");
    HttpResponse<String> invalid = send("GET", "/invalid", null);
    HttpResponse<String> broken = send("GET", "/broken", null);
    HttpResponse<String> echoed = send("POST", "/echo", "{\"name\":\"ferry\"}");
    // then
    assertThat(malformed.statusCode()).isEqualTo(400);
    assertThat(malformed.body()).contains("malformed JSON body").contains("InvalidArguments");
    assertThat(invalid.statusCode()).isEqualTo(400);
    assertThat(invalid.body()).contains("keyspace must be specified");
    assertThat(broken.statusCode()).isEqualTo(500);
    assertThat(broken.body()).contains("\"type\":\"InternalError\"");
    assertThat(echoed.body()).isEqualTo("{\"name\":\"ferry\"}");
  }
}
