"""The baseline for bench/excel.sh: a straightforward loader a park's IT person would write.

Reads a 会议台账 workbook with openpyxl in read-only mode, applies the same checks as taizhang's
import (required cells, date spellings, the meeting type among the allowed values, the unit known
from the 组织架构 sheet, whole numbers, 是/否 flags), collects every error, and writes all rows to
SQLite with one executemany in one transaction only when there is none.

    python3 bench/baseline_import.py FILE.xlsx DB.sqlite
"""

import datetime
import json
import re
import sqlite3
import sys

import openpyxl

TYPES = {
    "党工委会议", "支部党员大会", "支部委员会", "党小组会", "党课", "主题党日", "中心组学习",
    "第一议题学习", "专题研讨", "组织生活会", "民主评议党员", "座谈会", "其他",
}
DATE_TEXT = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


def parse_date(value):
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str):
        m = DATE_TEXT.match(value)
        if m:
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    raise ValueError(f"不是日期：{value!r}")


def parse_int(value):
    if value is None or value == "":
        return None
    if isinstance(value, (int, float)) and float(value).is_integer():
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError(f"不是整数：{value!r}")


def parse_bool(value):
    if value in (None, ""):
        return None
    if value in ("是", "Y", "√", True):
        return True
    if value in ("否", "N", "×", False):
        return False
    raise ValueError(f"应为是或否：{value!r}")


def main(path, db_path):
    book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    units = {}
    for row in book["组织架构"].iter_rows(min_row=2, values_only=True):
        if row and row[0]:
            units[str(row[0]).strip()] = len(units) + 1

    errors, rows = [], []
    for number, row in enumerate(book["会议台账"].iter_rows(min_row=2, values_only=True), start=2):
        row = list(row) + [None] * (10 - len(row))
        date, kind, name, unit, party, topics, readings, expected, attended, remark = row[:10]
        try:
            day = parse_date(date)
            if kind not in TYPES:
                raise ValueError(f"会议类型不是可选值：{kind!r}")
            if not name:
                raise ValueError("会议名称必填")
            unit = str(unit or "").strip()
            if unit not in units:
                raise ValueError(f"组织单位不存在：{unit!r}")
            fields = {
                "date": day.isoformat(), "meeting_type": kind, "name": str(name).strip(),
                "org_unit": unit, "is_party_topic": parse_bool(party),
                "topic_count": parse_int(topics), "reading_count": parse_int(readings),
                "expected": parse_int(expected), "attended": parse_int(attended),
                "remark": remark,
            }
        except ValueError as e:
            errors.append(f"会议台账 第{number}行：{e}")
            continue
        fields = {k: v for k, v in fields.items() if v is not None}
        rows.append((day.isoformat(), units[unit], str(name).strip(),
                     json.dumps(fields, ensure_ascii=False)))

    if errors:
        print("\n".join(errors[:20]), file=sys.stderr)
        sys.exit(f"{len(errors)} 处错误，未导入")
    db = sqlite3.connect(db_path)
    db.execute("CREATE TABLE IF NOT EXISTS units (id INTEGER PRIMARY KEY, name TEXT UNIQUE)")
    db.execute("CREATE TABLE IF NOT EXISTS records (id INTEGER PRIMARY KEY, kind TEXT,"
               " occurred_on TEXT, unit_id INTEGER, title TEXT, fields TEXT)")
    with db:
        db.executemany("INSERT OR IGNORE INTO units (id, name) VALUES (?, ?)",
                       [(i, n) for n, i in units.items()])
        db.executemany("INSERT INTO records (kind, occurred_on, unit_id, title, fields)"
                       " VALUES ('meeting', ?, ?, ?, ?)", rows)
    print(f"imported {len(rows)} rows")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
