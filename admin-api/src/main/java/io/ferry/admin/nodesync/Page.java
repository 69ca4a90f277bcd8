package io.ferry.admin.nodesync;

import io.ferry.admin.errors.InvalidArgumentsException;
import io.ferry.admin.errors.NotFoundException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One page of a summary list, in OpsCenter's shape: {@code next}, {@code per_page}, {@code
 * previous}, {@code last}, {@code count}, {@code current}, {@code proximate} and {@code results}.
 * Pages count from 1; an empty list has one, empty, page.
 *
 * <p>Pure.
 */
final class Page {

  static final int DEFAULT_PER_PAGE = 10;
  static final int MAX_PER_PAGE = 1000;

  private Page() {}

  static Map<String, Object> of(List<?> items, String page, String perPage) {
    int size = parse(perPage, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE);
    int current = parse(page, "page", 1, Integer.MAX_VALUE);
    int last = Math.max(1, (items.size() + size - 1) / size);
    if (current > last) {
      throw new NotFoundException(
          "page: "
              + current
              + " is past the last page ("
              + last
              + ", with "
              + items.size()
              + " results at "
              + size
              + " per page)");
    }
    Integer previous = current > 1 ? current - 1 : null;
    Integer next = current < last ? current + 1 : null;
    Map<String, Object> proximate = new LinkedHashMap<>();
    proximate.put("previous", previous);
    proximate.put("next", next);
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("next", next);
    json.put("per_page", size);
    json.put("previous", previous);
    json.put("last", last);
    json.put("count", items.size());
    json.put("current", current);
    json.put("proximate", proximate);
    int from = (current - 1) * size;
    json.put("results", items.subList(from, Math.min(items.size(), from + size)));
    return json;
  }

  private static int parse(String value, String name, int fallback, int max) {
    if (value == null || value.isBlank()) {
      return fallback;
    }
    try {
      int parsed = Integer.parseInt(value.trim());
      if (parsed >= 1 && parsed <= max) {
        return parsed;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new InvalidArgumentsException(
        name + ": " + value + " (expected a whole number from 1 to " + max + ")");
  }
}
