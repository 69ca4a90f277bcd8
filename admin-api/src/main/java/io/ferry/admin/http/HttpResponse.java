package io.ferry.admin.http;

/**
 * What a handler answers: a status and a body serialized as JSON, or sent as text when it is a
 * {@link String} (as some OpsCenter and ZDM endpoints answer).
 *
 * @param contentType the content type of a text body, or {@code null} for the default
 */
public record HttpResponse(int status, Object body, String contentType) {

  public HttpResponse(int status, Object body) {
    this(status, body, null);
  }

  public static HttpResponse ok(Object body) {
    return new HttpResponse(200, body);
  }
}
