//! Where a condition is refused, and what it may not exceed: syntax errors at
//! their character, the length and nesting limits, a deep input on a small
//! stack, conditions read from data files, and no panic on any input.

use super::*;

#[test]
fn syntax_errors_say_where_in_characters() {
    for (text, want) in [
        ("jobs.done > (1 + )", "at 17: expected a field, a number or \"(\", got \")\""),
        ("jobs.done > )", "at 12: expected a field, a number or \"(\", got \")\""),
        ("", "at 0: expected a field, a number or \"(\", got end of text"),
        ("jobs.done >", "at 11: expected a field, a number or \"(\", got end of text"),
        ("jobs.done 1", "at 10: expected an operator (and, or, ==, +, ...) or the end, got \"1\""),
        ("(1 == 1", "at 7: expected \")\" to close the \"(\" at 0, got end of text"),
        ("1 == 1)", "at 6: this \")\" closes no \"(\""),
        ("jobs.done = 60", "at 10: `=` is not an operator here: write `==` to compare"),
        ("a && b", "at 2: `&&` is not an operator here: write `and`"),
        ("a || b", "at 2: `||` is not an operator here: write `or`"),
        ("!a", "at 0: `!` is not an operator here: write `not`, or `!=`"),
        ("x == \"open", "at 5: this string has no closing \""),
        ("x == \"a\\n\"", "at 7: unknown escape: a string knows only \\\" and \\\\"),
        ("x == 1.", "at 7: expected digits after the decimal point"),
        ("x == 1 @", "at 7: unexpected character '@'"),
        ("\"é\" == 1 @", "at 9: unexpected character '@'"),
        ("avg(workers[].id) > 1", "at 0: no function is named avg: the functions are sum, count, max, min, first, len, exists"),
        ("max(a.x, b.x) > 1", "at 7: max takes one argument"),
        ("jobs. > 1", "at 6: expected a field name after \".\", got \">\""),
        ("workers[1.5].id == 1", "at 8: an index is a whole number, such as [0]"),
        ("workers[0 x] == 1", "at 10: expected \"]\", got \"x\""),
        ("runs.jobs == 1", "at 4: expected \"[\" after runs (runs[0], runs[]), got \".\""),
        ("runs[\"x\"].jobs == 1", "at 0: runs takes a number, nothing or a filter in brackets: runs[0], runs[], runs[outcome == \"completed\"]"),
        ("jobs.done > and", "at 12: expected a field, a number or \"(\", got \"and\""),
        ("x == 1e5", "at 6: expected an operator (and, or, ==, +, ...) or the end, got \"e5\""),
    ] {
        let e = Condition::parse(text).unwrap_err();
        assert_eq!(e.to_string(), want, "{text:?}");
        assert!(e.offset().is_some());
    }
    let e = Condition::parse(&format!("x == 1{}", "0".repeat(400))).unwrap_err();
    assert_eq!(e.to_string(), "at 5: this number is too large");
    let e = Condition::parse("1 == 1 ".repeat(500).as_str()).unwrap_err();
    assert!(
        e.message()
            .starts_with("a condition is at most 2000 characters (this one has 3500)"),
        "{e}"
    );
    assert_eq!(e.offset(), Some(2000));
}

#[test]
fn length_is_bounded() {
    let mut text = "true".to_string();
    while text.len() + " and true".len() <= MAX_LEN {
        text.push_str(" and true");
    }
    text.push_str(&" ".repeat(MAX_LEN - text.len()));
    assert_eq!(text.chars().count(), MAX_LEN);
    assert!(
        holds(&text),
        "2,000 characters and a flat chain of 222 `and`s are fine"
    );
    text.push(' ');
    assert_eq!(error(&text).offset(), Some(MAX_LEN));
    // Characters, not bytes.
    let text = format!("\"{}\" == \"\"", "é".repeat(1900));
    assert!(!holds(&text));
}

#[test]
fn nesting_is_bounded() {
    let nested = |open: &str, inner: &str, close: &str, n: usize| {
        format!("{}{inner}{}", open.repeat(n), close.repeat(n))
    };
    assert!(holds(&nested("(", "1 == 1", ")", 60)));
    assert!(holds(&nested("not ", "true", "", 60)));
    assert!(holds(&nested("- ", "1 == 1", "", 60)));
    assert!(holds(&format!("{}0 == 60", "1 + ".repeat(60))));
    for text in [
        nested("(", "1 == 1", ")", 65),
        nested("(", "1 == 1", ")", 990),
        nested("not ", "true", "", 65),
        nested("-", "1 == 1", "", 1990),
        format!("{}0 == 65", "1 + ".repeat(65)),
        format!("{}0 == 1", "1 * ".repeat(400)),
        nested("sum(", "x", ")", 300),
        nested("count(x[", "y", "])", 150),
        nested("x[", "y", "]", 600),
        "x[".repeat(1000),
        "(".repeat(2000),
    ] {
        let e = error(&text);
        assert!(
            e.message()
                .starts_with("nested too deeply: a condition has at most 64 levels"),
            "{e}"
        );
    }
}

/// Deep input parses and evaluates on a small stack: the limits bound the recursion.
#[test]
fn deep_input_needs_no_deep_stack() {
    let run = || {
        let r = report();
        for text in [
            format!("{}1 == 1{}", "(".repeat(64), ")".repeat(64)),
            format!("{}true", "not ".repeat(63)),
            format!("{}0 == 63", "1 + ".repeat(63)),
            "(".repeat(2000),
            "-".repeat(2000),
        ] {
            let _ = eval_on(&text, &[&r]);
        }
    };
    std::thread::Builder::new()
        .stack_size(256 * 1024)
        .spawn(run)
        .unwrap()
        .join()
        .unwrap();
}

#[test]
fn a_condition_in_a_data_file_is_its_text() {
    #[derive(Deserialize, Serialize)]
    struct Choice {
        text: String,
        holds: Condition,
    }
    let file = r#"{"text": "Many SQLITE_BUSY", "holds": "errors.SQLITE_BUSY > 0"}"#;
    let c: Choice = serde_json::from_str(file).unwrap();
    assert!(c.holds.eval(&Runs::one(&report())).unwrap());
    assert_eq!(c.holds.text(), "errors.SQLITE_BUSY > 0");
    assert_eq!(
        serde_json::to_string(&c).unwrap(),
        file.replace(", ", ",").replace(": ", ":")
    );
    let bad = r#"{"text": "x", "holds": "errors.SQLITE_BUSY >"}"#;
    let e = serde_json::from_str::<Choice>(bad).err().unwrap();
    assert!(e.to_string().starts_with("at 20: expected a field"), "{e}");
    let parsed: Condition = "1 == 1".parse().unwrap();
    assert_eq!(parsed.to_string(), "1 == 1");
}

/// A few thousand random and garbled strings: parsing and evaluating give a
/// result or an error, never a panic.
#[test]
fn no_input_panics() {
    const WORDS: &[&str] = &[
        "a",
        "b",
        "runs",
        "jobs",
        "done",
        "seeded",
        "errors",
        "SQLITE_BUSY",
        "workers",
        "role",
        "lost_races",
        "killed",
        "outcome",
        "failure",
        "scenario",
        "work_ms",
        "power_cut",
        "and",
        "or",
        "not",
        "true",
        "false",
        "null",
        "sum",
        "count",
        "max",
        "min",
        "len",
        "exists",
        "avg",
        "0",
        "1",
        "2.5",
        "60",
        "007",
        "1.",
        "99999999999999999999999999",
        "\"writer\"",
        "\"SQLITE_BUSY*\"",
        "\"*\"",
        "\"\"",
        "\"\\\"\"",
        "\"",
        "\\",
        ".",
        "[",
        "]",
        "(",
        ")",
        ",",
        "==",
        "!=",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "/",
        "=",
        "!",
        "&&",
        "|",
        " ",
        "  ",
        "é",
        "\u{0}",
        "\n",
        "🦀",
        "_",
        "x_1",
    ];
    const REAL: &[&str] = &[
        "sum(errors[\"SQLITE_BUSY*\"]) > 0 and jobs.done == jobs.seeded",
        "b.throughput_jobs_per_s > 2 * a.throughput_jobs_per_s",
        "count(workers[role == \"writer\" and jobs_done > 0]) == 1",
        "not exists(power_cut) or power_cut.commits_lost == 0",
        "max(workers[].jobs_done) / jobs.done * count(runs[]) >= 1.5",
        "(a.outcome == \"completed\") != (len(b.errors) == 0)",
    ];
    let mut seed = 0x9E37_79B9_7F4A_7C15_u64;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    let (a, b) = (report(), faster());
    let mut inputs = Vec::new();
    for _ in 0..3000 {
        let words = next(25);
        inputs.push(
            (0..words)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<Vec<_>>()
                .join(" "),
        );
        let glued = next(25);
        inputs.push(
            (0..glued)
                .map(|_| WORDS[next(WORDS.len())])
                .collect::<String>(),
        );
        // A real condition, garbled: characters dropped, doubled, swapped or inserted.
        let mut chars: Vec<char> = REAL[next(REAL.len())].chars().collect();
        for _ in 0..1 + next(4) {
            let at = next(chars.len() + 1);
            match next(4) {
                0 if at < chars.len() => {
                    chars.remove(at);
                }
                1 if at < chars.len() => chars.insert(at, chars[at]),
                2 if at + 1 < chars.len() => chars.swap(at, at + 1),
                _ => chars.insert(
                    at,
                    "()[].\"*<=!-0 aé"[..].chars().nth(next(15)).unwrap_or(' '),
                ),
            }
        }
        inputs.push(chars.into_iter().collect());
    }
    let (mut parsed, mut evaluated) = (0, 0);
    for text in &inputs {
        let outcome = std::panic::catch_unwind(|| {
            let c = Condition::parse(text).ok()?;
            let results = [
                c.eval(&Runs::one(&a)),
                c.eval(&Runs::of([&a, &b])),
                c.eval(&Runs::of([])),
            ];
            Some(results.iter().filter(|r| r.is_ok()).count())
        });
        match outcome {
            Ok(Some(ok)) => {
                parsed += 1;
                evaluated += ok;
            }
            Ok(None) => {}
            Err(_) => panic!("panicked on {text:?}"),
        }
    }
    assert_eq!(inputs.len(), 9000);
    // The inputs reach the evaluator, not only the parser's first refusal.
    eprintln!("{parsed} parsed, {evaluated} evaluated");
    assert!(
        parsed > 300 && evaluated > 300,
        "{parsed} parsed, {evaluated} evaluated"
    );
}
