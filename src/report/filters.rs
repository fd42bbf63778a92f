//! Template filters for Chinese report style. FILTERS.md is the user's guide; `numbers.rs` holds
//! the formatting itself.
//!
//! Each filter takes a number or a metric (`m.honors`). Given a metric it formats the metric's
//! value and keeps the figure marked as that metric's, so that in HTML it still links to the
//! records it counts; so write `{{ m.brochures | wan(approx=true) }}`, not `m.brochures.value`.
//!
//! | filter | example |
//! |---|---|
//! | `approx` | 53 → "50余", 8 → "8", 126 → "120余", 1234 → "1200余" |
//! | `wan` | 41410 → "4.1万"; `wan(approx=true)`: 41410 → "4万余" |
//! | `yi` | 1500000000 → "15亿"; `yi(approx=true)`: 123456789 → "1亿余" |
//! | `pct` | 93.9 → "93.9%", 100 → "100%"; `pct(2)`: two decimals at most |
//! | `cn` | 3 → "三", 12 → "十二", 21 → "二十一" |
//! | `fixed(n)` | 3.456 \| fixed(1) → "3.5", 3 \| fixed(2) → "3.00" |
//! | `num` | 3000.0 → "3000", 3.50 → "3.5" |
//! | `change` | metric against its `prev`, or `a \| change(b)`: "增长12.5%", "下降3.0%", "持平" |
//! | `yoy` | a metric against its `prev` in words: "较上年增加3次", "较上年提高1.2个百分点", "与上年持平" |
//! | `highlight` | `{% filter highlight %}…{% endfilter %}` marks a highlights part for the health check |

use std::sync::Arc;

use minijinja::value::{Kwargs, Value, ValueKind};
use minijinja::{Environment, Error, ErrorKind};

use super::error::FilterProblem;
use super::numbers;
use super::view::MetricView;

/// Adds every report filter to `env`.
pub(crate) fn register(env: &mut Environment<'_>) {
    env.add_filter("approx", approx);
    env.add_filter("wan", wan);
    env.add_filter("yi", yi);
    env.add_filter("pct", pct);
    env.add_filter("cn", cn);
    env.add_filter("fixed", fixed);
    env.add_filter("num", num);
    env.add_filter("change", change);
    env.add_filter("yoy", yoy);
    env.add_filter("highlight", highlight);
}

/// The number a filter works on, and the metric it came from, if any.
struct Figure {
    value: f64,
    metric: Option<Arc<MetricView>>,
}

impl Figure {
    fn of(filter: &'static str, value: &Value) -> Result<Figure, Error> {
        if let Some(metric) = value.downcast_object::<MetricView>() {
            return Ok(Figure {
                value: metric.value.as_f64(),
                metric: Some(metric),
            });
        }
        if value.kind() == ValueKind::Number {
            if let Ok(x) = f64::try_from(value.clone()) {
                return Ok(Figure {
                    value: x,
                    metric: None,
                });
            }
        }
        Err(invalid(FilterProblem::NeedsNumber {
            filter,
            got: value.to_string(),
        }))
    }

    /// The formatted text, still marked as the metric's figure when it came from one.
    fn out(&self, text: String) -> Value {
        Value::from(match &self.metric {
            Some(metric) => metric.figure(&text),
            None => text,
        })
    }
}

fn invalid(problem: FilterProblem) -> Error {
    Error::new(ErrorKind::InvalidOperation, problem.to_string())
}

fn approximate(kwargs: &Kwargs) -> Result<bool, Error> {
    let approx: Option<bool> = kwargs.get("approx")?;
    kwargs.assert_all_used()?;
    Ok(approx.unwrap_or(false))
}

/// `{{ m.learning_activities | approx }}次` → "50余次".
fn approx(value: Value) -> Result<Value, Error> {
    let f = Figure::of("approx", &value)?;
    Ok(f.out(numbers::approx(f.value)))
}

/// `{{ m.brochures | wan }}` → "4.1万"; `wan(approx=true)` → "4万余".
fn wan(value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let f = Figure::of("wan", &value)?;
    Ok(f.out(numbers::wan(f.value, approximate(&kwargs)?)))
}

/// `{{ 1500000000 | yi }}` → "15亿"; `yi(approx=true)` → "15亿" / "1亿余".
fn yi(value: Value, kwargs: Kwargs) -> Result<Value, Error> {
    let f = Figure::of("yi", &value)?;
    Ok(f.out(numbers::yi(f.value, approximate(&kwargs)?)))
}

/// `{{ m.participation_rate | pct }}` → "93.9%"; `pct(2)` keeps up to two decimals.
fn pct(value: Value, decimals: Option<u32>) -> Result<Value, Error> {
    let f = Figure::of("pct", &value)?;
    let decimals = decimals.unwrap_or(1).min(6);
    Ok(f.out(numbers::pct(f.value, decimals)))
}

/// `{{ m.model_branches_city | cn }}个` → "三个".
fn cn(value: Value) -> Result<Value, Error> {
    let f = Figure::of("cn", &value)?;
    let text = numbers::cn(f.value)
        .ok_or_else(|| invalid(FilterProblem::CnNeedsWhole(numbers::num(f.value))))?;
    Ok(f.out(text))
}

/// `{{ m.red_cycling_km | fixed(1) }}` → "3.5".
fn fixed(value: Value, decimals: u32) -> Result<Value, Error> {
    let f = Figure::of("fixed", &value)?;
    Ok(f.out(numbers::fixed(f.value, decimals.min(6))))
}

/// `{{ p.investment | num }}` → "30" for 30.0, "12.5" for 12.50.
fn num(value: Value) -> Result<Value, Error> {
    let f = Figure::of("num", &value)?;
    Ok(f.out(numbers::num(f.value)))
}

/// `{{ m.honors | change }}` → "增长12.5%" against last year; `{{ a | change(b) }}` against `b`.
fn change(value: Value, previous: Option<Value>) -> Result<Value, Error> {
    let f = Figure::of("change", &value)?;
    let previous = match previous {
        Some(p) => Figure::of("change", &p)?.value,
        None => match f.metric.as_ref().and_then(|m| m.prev) {
            Some(p) => p.as_f64(),
            None => return Err(invalid(FilterProblem::ChangeNeedsPrevious)),
        },
    };
    Ok(f.out(numbers::change(f.value, previous)))
}

/// `{{ m.heart_talks | yoy }}` → "较上年增加12人次", "较上年减少3人次", "与上年持平"; a rate
/// changes in 个百分点 (提高, 降低). Empty when last year is unknown.
fn yoy(value: Value) -> Result<Value, Error> {
    let Some(metric) = value.downcast_object::<MetricView>() else {
        return Err(invalid(FilterProblem::NeedsNumber {
            filter: "yoy",
            got: value.to_string(),
        }));
    };
    let Some(change) = metric.change() else {
        return Ok(Value::from(""));
    };
    let x = change.as_f64();
    let amount = numbers::num(numbers::round_to(x.abs(), metric.decimals));
    let rate = metric.unit == "%";
    Ok(Value::from(if x == 0.0 {
        "与上年持平".to_string()
    } else if rate {
        let way = if x > 0.0 { "提高" } else { "降低" };
        format!("较上年{way}{amount}个百分点")
    } else {
        let way = if x > 0.0 { "增加" } else { "减少" };
        format!("较上年{way}{amount}{}", metric.unit)
    }))
}

/// The text of a `{% filter highlight %}` block between the highlight marks, which only the
/// health check reads: an incident printed there contradicts the part it sits in.
fn highlight(value: Value) -> Value {
    let text = value
        .as_str()
        .map_or_else(|| value.to_string(), str::to_string);
    Value::from(format!(
        "{}{text}{}",
        super::view::HIGHLIGHT_START,
        super::view::HIGHLIGHT_END
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::compute::Number;

    fn env() -> Environment<'static> {
        let mut env = Environment::new();
        env.set_undefined_behavior(minijinja::UndefinedBehavior::Strict);
        register(&mut env);
        env
    }

    fn render(source: &str, ctx: Value) -> String {
        env().render_str(source, ctx).unwrap()
    }

    fn metric(value: Number, prev: Option<Number>, mark: bool) -> Value {
        Value::from_object(MetricView {
            id: "honors".into(),
            label: "荣誉".into(),
            unit: "项".into(),
            value,
            prev,
            decimals: 1,
            records: vec![3, 5],
            mark,
            related: Vec::new(),
        })
    }

    #[test]
    fn every_filter_formats_plain_numbers() {
        let cases = [
            ("{{ 53 | approx }}", "50余"),
            ("{{ 8 | approx }}", "8"),
            ("{{ 126 | approx }}", "120余"),
            ("{{ 1234 | approx }}", "1200余"),
            ("{{ 41410 | wan }}", "4.1万"),
            ("{{ 41410 | wan(approx=true) }}", "4万余"),
            ("{{ 1500000000 | yi }}", "15亿"),
            ("{{ 123456789 | yi(approx=true) }}", "1亿余"),
            ("{{ 93.9 | pct }}", "93.9%"),
            ("{{ 100.0 | pct }}", "100%"),
            ("{{ 12.345 | pct(2) }}", "12.35%"),
            ("{{ 3 | cn }}", "三"),
            ("{{ 12 | cn }}", "十二"),
            ("{{ 21 | cn }}", "二十一"),
            ("{{ 3.456 | fixed(1) }}", "3.5"),
            ("{{ 3 | fixed(2) }}", "3.00"),
            ("{{ 30.0 | num }}", "30"),
            ("{{ 45 | change(40) }}", "增长12.5%"),
            ("{{ 97 | change(100) }}", "下降3.0%"),
            ("{{ 4 | change(4) }}", "持平"),
        ];
        for (source, want) in cases {
            assert_eq!(render(source, Value::from(())), want, "{source}");
        }
    }

    #[test]
    fn metrics_print_their_figure_and_compare_with_last_year() {
        let ctx =
            minijinja::context! { m => metric(Number::Int(45), Some(Number::Int(40)), false) };
        assert_eq!(
            render("{{ m }}|{{ m.value }}|{{ m.prev }}", ctx.clone()),
            "45|45|40"
        );
        assert_eq!(render("{{ m | change }}", ctx.clone()), "增长12.5%");
        assert_eq!(render("{{ m | approx }}{{ m.unit }}", ctx), "40余项");
        let rate = minijinja::context! { m => metric(Number::Float(93.0), None, false) };
        assert_eq!(render("{{ m }} {{ m | pct }}", rate.clone()), "93.0 93%");
        let err = env().render_str("{{ m | change }}", rate).unwrap_err();
        assert!(err.to_string().contains("上年数值"), "{err}");
        let zero = minijinja::context! { m => metric(Number::Int(0), None, false) };
        assert_eq!(render("{% if m %}有{% else %}无{% endif %}", zero), "无");
    }

    #[test]
    fn figures_stay_marked_through_filters_in_html_mode() {
        let ctx = minijinja::context! { m => metric(Number::Int(53), None, true) };
        assert_eq!(
            render("{{ m | approx }}", ctx.clone()),
            "\u{E000}honors\u{E001}50余\u{E002}"
        );
        assert_eq!(render("{{ m }}", ctx), "\u{E000}honors\u{E001}53\u{E002}");
    }

    #[test]
    fn wrong_inputs_are_explained() {
        let err = env().render_str("{{ 'abc' | approx }}", ()).unwrap_err();
        assert!(err.to_string().contains("approx 过滤器需要数字"), "{err}");
        let err = env().render_str("{{ 2.5 | cn }}", ()).unwrap_err();
        assert!(err.to_string().contains("只能写整数"), "{err}");
        let err = env()
            .render_str("{{ 5 | wan(round=true) }}", ())
            .unwrap_err();
        assert!(err.kind() == ErrorKind::TooManyArguments, "{err}");
    }
}
