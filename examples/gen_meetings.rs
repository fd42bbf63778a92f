//! Writes a 会议台账 workbook of N generated rows, typed the way offices type: dates as real date
//! cells and as text in several spellings, 是/否 flags, some empty optional cells. A 组织架构 sheet
//! names the units, so the file imports into an empty park. For `bench/excel.sh`.
//!
//! With `--members`, a 党员花名册 sheet lists one member a branch with an ID number typed as text
//! (some ending in X), a phone number and a 入党日期 date cell. For `e2e/excel_formats.sh`.
//!
//!   cargo run --release --example gen_meetings -- OUT.xlsx [ROWS] [--members]

use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};

const TYPES: [&str; 8] = [
    "支部党员大会",
    "支部委员会",
    "党小组会",
    "党课",
    "主题党日",
    "组织生活会",
    "党工委会议",
    "中心组学习",
];

/// A small deterministic generator (xorshift), so that every run writes the same file.
struct Dice(u64);

impl Dice {
    fn next(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let (flags, args): (Vec<String>, Vec<String>) =
        std::env::args().skip(1).partition(|a| a.starts_with("--"));
    let members = match flags.as_slice() {
        [] => false,
        [flag] if flag == "--members" => true,
        _ => return Err("usage: gen_meetings OUT.xlsx [ROWS] [--members]".into()),
    };
    let mut args = args.into_iter();
    let out = args
        .next()
        .ok_or("usage: gen_meetings OUT.xlsx [ROWS] [--members]")?;
    let rows: u32 = args.next().map_or(Ok(100_000), |r| r.parse())?;
    let mut dice = Dice(0x5eed_2024);
    let mut wb = Workbook::new();
    let date_format = Format::new().set_num_format("yyyy/m/d");

    let org = wb.add_worksheet();
    org.set_name("组织架构")?;
    for (col, h) in ["名称", "类型", "上级"].iter().enumerate() {
        org.write_string(0, col as u16, *h)?;
    }
    org.write_string(1, 0, "基准园区党工委")?;
    org.write_string(1, 1, "党工委")?;
    let branches: Vec<String> = (1..=20).map(|i| format!("第{i}党支部")).collect();
    for (i, name) in branches.iter().enumerate() {
        let row = i as u32 + 2;
        org.write_string(row, 0, name)?;
        org.write_string(row, 1, "党支部")?;
        org.write_string(row, 2, "基准园区党工委")?;
    }

    if members {
        let sheet = wb.add_worksheet();
        sheet.set_name("党员花名册")?;
        for (col, h) in ["姓名", "性别", "身份证号", "手机号", "所在支部", "入党日期"]
            .iter()
            .enumerate()
        {
            sheet.write_string(0, col as u16, *h)?;
        }
        for (i, branch) in branches.iter().enumerate() {
            let row = i as u32 + 1;
            let born = 1970 + i as u16;
            sheet.write_string(row, 0, format!("党员{row}号"))?;
            sheet.write_string(row, 1, if i % 2 == 0 { "男" } else { "女" })?;
            sheet.write_string(row, 2, id_number(born, row))?;
            sheet.write_string(row, 3, format!("138{:08}", 1000 + row))?;
            sheet.write_string(row, 4, branch)?;
            let joined = ExcelDateTime::from_ymd(born + 25, 7, 1)?;
            sheet.write_datetime_with_format(row, 5, &joined, &date_format)?;
        }
    }

    let ws = wb.add_worksheet();
    ws.set_name("会议台账")?;
    let headers = [
        "日期",
        "会议类型",
        "会议名称",
        "组织单位",
        "党建专题",
        "议题数",
        "学习篇目数",
        "应到人数",
        "实到人数",
        "备注",
    ];
    for (col, h) in headers.iter().enumerate() {
        ws.write_string(0, col as u16, *h)?;
    }
    for row in 1..=rows {
        let (y, m, d) = (
            2022 + dice.next(3) as u16,
            1 + dice.next(12) as u8,
            1 + dice.next(28) as u8,
        );
        match dice.next(5) {
            0 | 1 => {
                let dt = ExcelDateTime::from_ymd(y, m, d)?;
                ws.write_datetime_with_format(row, 0, &dt, &date_format)?;
            }
            2 => {
                ws.write_string(row, 0, format!("{y}-{m:02}-{d:02}"))?;
            }
            3 => {
                ws.write_string(row, 0, format!("{y}年{m}月{d}日"))?;
            }
            _ => {
                ws.write_string(row, 0, format!("{y}.{m}.{d}"))?;
            }
        }
        let kind = TYPES[dice.next(TYPES.len() as u64) as usize];
        let unit = &branches[dice.next(branches.len() as u64) as usize];
        ws.write_string(row, 1, kind)?;
        ws.write_string(row, 2, format!("{unit}{m}月{kind}（第{row}次）"))?;
        ws.write_string(row, 3, unit)?;
        ws.write_string(row, 4, if dice.next(3) == 0 { "是" } else { "否" })?;
        ws.write_number(row, 5, (1 + dice.next(6)) as f64)?;
        ws.write_number(row, 6, dice.next(5) as f64)?;
        let expected = 7 + dice.next(40);
        ws.write_number(row, 7, expected as f64)?;
        ws.write_number(row, 8, (expected - dice.next(4)) as f64)?;
        if dice.next(4) == 0 {
            ws.write_string(row, 9, "会议按议程进行，记录已归档")?;
        }
    }
    wb.save(&out)?;
    println!("wrote {rows} rows to {out}");
    Ok(())
}

/// A valid 18-digit ID number (GB 11643: ISO 7064 MOD 11-2 check character) of someone born on
/// 1 March of `year` in 北京市朝阳区, with sequence number `seq`.
fn id_number(year: u16, seq: u32) -> String {
    const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    const CHECK: &[u8; 11] = b"10X98765432";
    let body = format!("110105{year:04}0301{:03}", seq % 1000);
    let sum: u32 = body
        .bytes()
        .zip(WEIGHTS)
        .map(|(b, w)| u32::from(b - b'0') * w)
        .sum();
    format!("{body}{}", char::from(CHECK[(sum % 11) as usize]))
}
