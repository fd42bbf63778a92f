"""Cross-checks the shipped working-day tables (src/workdays/official.txt) against an
independent source, the chinesecalendar package: every day of every shipped year must be a
working day in one exactly when it is in the other. Exits non-zero on the first difference."""

import datetime as dt
import pathlib
import re
import sys

import chinese_calendar

TABLE = pathlib.Path(__file__).resolve().parent.parent / "src" / "workdays" / "official.txt"
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def read_tables(text):
    years = {}
    year = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        head, _, rest = line.partition(" ")
        if head == "年度":
            year = int(rest)
            years[year] = {"off": set(), "work": set()}
        elif head == "通知":
            continue
        elif head == "上班":
            years[year]["work"].update(dt.date.fromisoformat(d) for d in DATE.findall(rest))
        else:
            days = [dt.date.fromisoformat(d) for d in DATE.findall(rest)]
            first, last = days[0], days[-1]
            while first <= last:
                years[year]["off"].add(first)
                first += dt.timedelta(days=1)
    return years


def main():
    tables = read_tables(TABLE.read_text(encoding="utf-8"))
    if not tables:
        sys.exit("no shipped year found in " + str(TABLE))
    wrong = []
    for year, t in sorted(tables.items()):
        day = dt.date(year, 1, 1)
        while day.year == year:
            ours = day in t["work"] or (day not in t["off"] and day.weekday() < 5)
            theirs = chinese_calendar.is_workday(day)
            if ours != theirs:
                wrong.append(f"{day}: ours {'work' if ours else 'off'}, chinesecalendar {'work' if theirs else 'off'}")
            day += dt.timedelta(days=1)
        print(f"{year}: {len(t['off'])} days off, {len(t['work'])} make-up working days checked")
    if wrong:
        print("\n".join(wrong))
        sys.exit(f"{len(wrong)} days differ")
    print("the shipped tables agree with chinesecalendar", chinese_calendar.__version__)


if __name__ == "__main__":
    main()
