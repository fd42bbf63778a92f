#!/usr/bin/env python3
"""Lists every form handler (an `async fn` taking a `CsrfForm<...>`) under `src/` with its line
count, then the median and the longest.

A handler's lines run from its `fn` line to its closing brace, both counted; doc comments and
attributes above it are not. Braces inside strings, characters and comments are skipped.

    python3 contrib/handler_lines.py [SRC_DIR] [--over N]

`--over N` also lists the handlers longer than N lines.
"""

import os
import re
import statistics
import sys

FN_START = re.compile(r"^\s*(pub(\([^)]*\))?\s+)?async\s+fn\s+(\w+)")


def strip_code(text):
    """The text with the contents of strings, chars and comments blanked (newlines kept), so
    that braces and parentheses can be counted."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            depth, j = 1, i + 2
            while j < n and depth:
                if text.startswith("/*", j):
                    depth, j = depth + 1, j + 2
                elif text.startswith("*/", j):
                    depth, j = depth - 1, j + 2
                else:
                    j += 1
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
        elif c == "r" and re.match(r'r#*"', text[i:]) and not (i and (text[i - 1].isalnum() or text[i - 1] == "_")):
            hashes = re.match(r'r(#*)"', text[i:]).group(1)
            end = text.find('"' + hashes, i + 2 + len(hashes))
            end = n if end < 0 else end + 1 + len(hashes)
            out.append(re.sub(r"[^\n]", " ", text[i:end]))
            i = end
        elif c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i : j + 1]))
            i = j + 1
        elif c == "'":
            # A char literal ('x', '\n', '{'), or a lifetime ('a) left as it is.
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
            else:
                out.append(c)
                i += 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def handlers(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    code = strip_code(text)
    lines = code.split("\n")
    found = []
    for start, line in enumerate(lines):
        m = FN_START.match(line)
        if not m:
            continue
        # The signature runs to the first `{` or `;` outside parentheses.
        rest = "\n".join(lines[start:])
        depth, body_at = 0, None
        for k, ch in enumerate(rest):
            if ch in "(<[":
                depth += 1
            elif ch in ")>]":
                # `->` is no closing bracket.
                if not (ch == ">" and k and rest[k - 1] == "-"):
                    depth -= 1
            elif ch == ";" and depth <= 0:
                break
            elif ch == "{" and depth <= 0:
                body_at = k
                break
        if body_at is None:
            continue
        signature = rest[:body_at]
        if "CsrfForm<" not in signature:
            continue
        depth, end = 0, None
        for k in range(body_at, len(rest)):
            if rest[k] == "{":
                depth += 1
            elif rest[k] == "}":
                depth -= 1
                if depth == 0:
                    end = k
                    break
        if end is None:
            continue
        count = rest[: end + 1].count("\n") + 1
        found.append((path, start + 1, m.group(3), count))
    return found


def main():
    args = sys.argv[1:]
    over = None
    if "--over" in args:
        at = args.index("--over")
        over = int(args[at + 1])
        del args[at : at + 2]
    root = args[0] if args else "src"
    all_found = []
    for dirpath, _, files in os.walk(root):
        for name in sorted(files):
            if name.endswith(".rs"):
                all_found.extend(handlers(os.path.join(dirpath, name)))
    all_found.sort()
    for path, line, name, count in all_found:
        print(f"{count:4}  {path}:{line}  {name}")
    if not all_found:
        print("no form handlers found")
        return
    counts = [c for *_, c in all_found]
    longest = max(all_found, key=lambda h: h[3])
    print(f"handlers: {len(counts)}")
    print(f"median: {statistics.median(counts)}")
    print(f"longest: {longest[3]}  {longest[0]}:{longest[1]}  {longest[2]}")
    if over is not None:
        long = [h for h in all_found if h[3] > over]
        print(f"over {over} lines: {len(long)}")
        for path, line, name, count in sorted(long, key=lambda h: -h[3]):
            print(f"{count:4}  {path}:{line}  {name}")


if __name__ == "__main__":
    main()
