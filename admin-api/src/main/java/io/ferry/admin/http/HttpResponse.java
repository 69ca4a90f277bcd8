package io.ferry.admin.http;

/**
 * What a handler answers: a status and a body serialized as JSON (a {@link String} body is sent as
 * plain text, as some OpsCenter and ZDM endpoints do).
 */
public record HttpResponse(int status, Object body) {

  public static HttpResponse ok(Object body) {
    return new HttpResponse(200, body);
  }
}
