"""The ferry_env filter: the variables of an environment file written by templates/settings.env.j2, as a dict."""

import re


def ferry_env(text):
    """Parses KEY="value" lines (backslash escapes inside the quotes), skipping blank lines and # comments."""
    variables = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, separator, value = line.partition("=")
        if not separator:
            continue
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = re.sub(r"\\(.)", r"\1", value[1:-1])
        variables[key] = value
    return variables


class FilterModule:
    def filters(self):
        return {"ferry_env": ferry_env}
