package io.ferry.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
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
  void should_require_the_bearer_token_when_one_is_configured() throws Exception {
    // given
    java.util.concurrent.ExecutorService workers =
        java.util.concurrent.Executors.newSingleThreadExecutor();
    try (HttpServer guarded =
        HttpServer.start(
            "guarded",
            "127.0.0.1",
            0,
            List.of(
                Route.get(
                        "/who",
                        request ->
                            io.ferry.admin.http.HttpResponse.ok(Map.of("caller", request.caller())))
                    .blocking(workers)),
            AccessRules.guarded("s3cret", List.of()))) {
      URI uri = URI.create("http://127.0.0.1:" + guarded.address().getPort() + "/who");
      // when
      HttpResponse<String> anonymous =
          client.send(
              java.net.http.HttpRequest.newBuilder(uri).build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> wrong =
          client.send(
              java.net.http.HttpRequest.newBuilder(uri)
                  .header("Authorization", "Bearer guess")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      HttpResponse<String> right =
          client.send(
              java.net.http.HttpRequest.newBuilder(uri)
                  .header("Authorization", "Bearer s3cret")
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      // then
      assertThat(anonymous.statusCode()).isEqualTo(401);
      assertThat(anonymous.body())
          .contains("\"type\":\"Unauthorized\"")
          .contains("FERRY_ADMIN_TOKEN");
      assertThat(wrong.statusCode()).isEqualTo(401);
      assertThat(right.statusCode()).isEqualTo(200);
      assertThat(right.body()).contains("127.0.0.1:").contains("(admin token)");
    } finally {
      workers.shutdownNow();
    }
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

  @Test
  void should_answer_a_body_that_only_looks_like_utf32_with_a_json_400() throws Exception {
    // when: a body whose first bytes make Jackson read UTF-32, found by AdminRequestFuzzTest
    String answer =
        exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\n",
            new byte[] {0, 0, 0, 0x7b, 1});
    // then
    assertThat(answer)
        .startsWith("HTTP/1.1 400 ")
        .contains("\"message\":\"malformed JSON body: ")
        .contains("\"type\":\"InvalidArguments\"");
  }

  @Test
  void should_answer_a_malformed_uri_with_a_json_400_naming_it() throws Exception {
    // when
    String answer = exchange("GET /echo/%zz HTTP/1.1\r\nHost: x\r\n\r\n", new byte[0]);
    // then
    assertThat(answer)
        .startsWith("HTTP/1.1 400 ")
        .contains("\"message\":\"malformed URI: /echo/%zz (expected: %-escapes of UTF-8 bytes)\"");
  }

  @Test
  void should_answer_a_malformed_request_with_a_json_400_naming_the_problem() throws Exception {
    // when: a header line longer than the decoder accepts
    String answer =
        exchange("GET /echo HTTP/1.1\r\nX-Long: " + "x".repeat(10_000) + "\r\n\r\n", new byte[0]);
    // then
    assertThat(answer)
        .startsWith("HTTP/1.1 400 ")
        .contains("\"message\":\"malformed HTTP request: ")
        .contains("\"type\":\"InvalidArguments\"");
  }

  @Test
  void should_refuse_a_body_over_the_limit_with_a_json_413_and_close_the_connection()
      throws Exception {
    // when: 2 MiB announced, and sent
    String answer =
        exchange(
            "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 2097152\r\n\r\n",
            new byte[2 * 1024 * 1024]);
    // then: the answer ends the connection (read to its end by exchange)
    assertThat(answer)
        .startsWith("HTTP/1.1 413 ")
        .contains("connection: close")
        .contains(
            "\"message\":\"request body larger than 1048576 bytes (expected: a JSON document)\"");
  }

  @Test
  void should_refuse_a_cross_site_form_post_with_a_json_403_and_accept_curls_form_post()
      throws Exception {
    // given: the admin server's access rules (no token, as on loopback by default)
    try (HttpServer admin =
        HttpServer.start(
            "guarded",
            "127.0.0.1",
            0,
            List.of(
                Route.post(
                    "/origin/ops/restart/{ip}",
                    request -> io.ferry.admin.http.HttpResponse.ok(null))),
            AccessRules.guarded("", List.of()))) {
      int port = admin.address().getPort();
      String form = "sleep=0";
      // when: what a browser sends for a page of another site, then what curl -d sends
      String browser =
          exchange(
              admin,
              "POST /origin/ops/restart/127.0.0.1 HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port
                  + "\r\nOrigin: https://attacker.example\r\nSec-Fetch-Site: cross-site\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + form.length()
                  + "\r\n\r\n",
              form.getBytes(StandardCharsets.US_ASCII));
      String rebound =
          exchange(
              admin,
              "GET /origin/ops/restart/127.0.0.1 HTTP/1.1\r\nHost: attacker.example:"
                  + port
                  + "\r\n\r\n",
              new byte[0]);
      String curl =
          exchange(
              admin,
              "POST /origin/ops/restart/127.0.0.1 HTTP/1.1\r\nHost: 127.0.0.1:"
                  + port
                  + "\r\nUser-Agent: curl/8.5.0\r\nAccept: */*\r\n"
                  + "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: "
                  + form.length()
                  + "\r\n\r\n",
              form.getBytes(StandardCharsets.US_ASCII));
      // then
      assertThat(browser)
          .startsWith("HTTP/1.1 403 ")
          .contains("\"type\":\"Forbidden\"")
          .contains("Sec-Fetch-Site: cross-site");
      assertThat(rebound).startsWith("HTTP/1.1 403 ").contains("DNS rebinding");
      assertThat(curl).startsWith("HTTP/1.1 200 ");
    }
  }

  @Test
  void should_answer_503_naming_the_pool_and_its_size_when_every_worker_is_busy() throws Exception {
    // given: a pool of one thread, held by a first call
    java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
    java.util.concurrent.CountDownLatch busy = new java.util.concurrent.CountDownLatch(1);
    try (io.ferry.admin.WorkerPool pool =
            new io.ferry.admin.WorkerPool("admin-request", 1, "ferry.admin.request-threads");
        HttpServer admin =
            HttpServer.start(
                "pooled",
                "127.0.0.1",
                0,
                List.of(
                    Route.get(
                            "/slow",
                            request -> {
                              busy.countDown();
                              release.await();
                              return io.ferry.admin.http.HttpResponse.ok(null);
                            })
                        .blocking(pool)),
                AccessRules.guarded("", List.of()))) {
      URI uri = URI.create("http://127.0.0.1:" + admin.address().getPort() + "/slow");
      var first =
          client.sendAsync(
              java.net.http.HttpRequest.newBuilder(uri).build(),
              HttpResponse.BodyHandlers.ofString());
      busy.await();
      // when
      HttpResponse<String> second =
          client.send(
              java.net.http.HttpRequest.newBuilder(uri).build(),
              HttpResponse.BodyHandlers.ofString());
      release.countDown();
      // then
      assertThat(second.statusCode()).isEqualTo(503);
      assertThat(second.body())
          .contains("\"type\":\"Unavailable\"")
          .contains("the admin-request pool is full: all its 1 threads are busy")
          .contains("ferry.admin.request-threads");
      assertThat(first.get().statusCode()).isEqualTo(200);
    }
  }

  private String exchange(String head, byte[] body) throws Exception {
    return exchange(server, head, body);
  }

  /**
   * Sends a request of raw bytes (with {@code Connection: close}) and reads the answer up to the
   * end of the connection, which the server closes after answering.
   */
  private static String exchange(HttpServer server, String head, byte[] body) throws Exception {
    try (Socket socket = new Socket()) {
      socket.connect(server.address(), 5000);
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      out.write(
          head.replace("HTTP/1.1\r\n", "HTTP/1.1\r\nConnection: close\r\n")
              .getBytes(StandardCharsets.ISO_8859_1));
      try {
        out.write(body);
        out.flush();
      } catch (IOException e) {
        // the server may answer and close before the whole body is sent (413)
      }
      return new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
    }
  }
}
