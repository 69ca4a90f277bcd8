package io.ferry.testing.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A GET that tells "nothing answers" from an answer, for polling a process that comes and goes. */
public final class HttpProbe {

  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  private HttpProbe() {}

  /** The response to a GET of {@code url}, or {@code null} when nothing answers within 5 s. */
  public static HttpResponse<String> getOrNull(HttpClient client, String url) {
    try {
      return client.send(
          HttpRequest.newBuilder(URI.create(url)).timeout(TIMEOUT).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }
}
