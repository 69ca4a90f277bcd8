package io.ferry.admin.http;

import static org.assertj.core.api.Assertions.assertThat;

import io.ferry.admin.errors.AdminException;
import io.ferry.admin.errors.ConflictException;
import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.LimitExceededException;
import io.ferry.admin.errors.NotFoundException;
import io.ferry.admin.errors.NotSupportedException;
import io.ferry.admin.errors.OperationFailedException;
import io.ferry.admin.errors.RefusedException;
import io.ferry.admin.errors.UnavailableException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ErrorMappingTest {

  private static final HttpRequest REQUEST =
      new HttpRequest("POST", "/origin/ops", Map.of(), Map.of(), new byte[0], "test");

  @Test
  void should_map_each_domain_exception_to_its_status_and_type() {
    // given
    UUID id = new UUID(0x11f0000000001000L, 0x8000000000000000L);
    List<AdminException> failures =
        List.of(
            new InvalidArgumentsException("a"),
            new LimitExceededException("b"),
            new NotFoundException("c"),
            new ConflictException("d"),
            new RefusedException("e"),
            new NotSupportedException("f"),
            new UnavailableException("g"),
            new OperationFailedException(id, "h", null));
    // when
    Map<String, String> answers = new LinkedHashMap<>();
    for (AdminException failure : failures) {
      HttpResponse response = ErrorMapping.toResponse(REQUEST, failure);
      @SuppressWarnings("unchecked")
      Map<String, Object> body = (Map<String, Object>) response.body();
      answers.put(
          failure.getClass().getSimpleName(),
          response.status() + " " + body.get("type") + " " + body.get("brief"));
    }
    // then
    assertThat(answers)
        .containsExactly(
            Map.entry("InvalidArgumentsException", "400 InvalidArguments Bad Request"),
            Map.entry("LimitExceededException", "400 InvalidArguments error"),
            Map.entry("NotFoundException", "404 NotFound Not Found"),
            Map.entry("ConflictException", "409 Conflict Conflict"),
            Map.entry("RefusedException", "403 Forbidden Forbidden"),
            Map.entry("NotSupportedException", "501 NotSupported Not Implemented"),
            Map.entry("UnavailableException", "503 Unavailable Service Unavailable"),
            Map.entry("OperationFailedException", "500 OperationFailed Internal Server Error"));
  }
}
