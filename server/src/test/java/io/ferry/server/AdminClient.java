package io.ferry.server;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.cfg.JsonNodeFeature;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Calls a Ferry admin API over HTTP, as a script would, for the admin API's integration tests. */
final class AdminClient {

  // Decimals as written (e.g. epoch seconds 1795263562.077), not re-rendered as doubles (1.79E9).
  static final ObjectMapper JSON =
      new ObjectMapper()
          .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS)
          .configure(JsonNodeFeature.STRIP_TRAILING_BIGDECIMAL_ZEROES, false);

  private final HttpClient http = HttpClient.newHttpClient();

  /** A status and body as the API answered them. */
  record Answer(int status, String body) {
    JsonNode json() throws Exception {
      return JSON.readTree(body);
    }
  }

  /**
   * @param admin the API's base URL, e.g. {@code http://127.0.0.1:8888}
   * @param body the JSON body, or {@code null} for none
   */
  Answer call(String admin, String method, String path, String body) throws Exception {
    HttpRequest request =
        HttpRequest.newBuilder(URI.create(admin + path))
            .method(
                method,
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(body))
            .timeout(Duration.ofMinutes(3))
            .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    return new Answer(response.statusCode(), response.body());
  }

  /** Checks an OpsCenter-shaped error: its status, and a message naming what was wrong. */
  static void assertError(Answer answer, int status, String named) throws Exception {
    assertThat(answer.status()).as(answer.body()).isEqualTo(status);
    assertThat(answer.json().get("message").asText()).contains(named);
    assertThat(answer.json().fieldNames()).toIterable().containsExactly("brief", "message", "type");
  }
}
