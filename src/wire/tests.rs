use super::*;
use serde_json::json;

#[derive(Debug, PartialEq)]
struct Pair {
    name: String,
    n: u32,
}
wire_struct!(Pair { name, n });

#[derive(Debug, PartialEq)]
enum Shape {
    Dot {},
    Line { from: i64, to: i64 },
    Named { pair: Pair, tag: Option<bool> },
}
wire_enum!(Shape {
    Dot {},
    Line { from, to },
    Named { pair, tag },
});

fn round_trip<T: Wire + PartialEq + std::fmt::Debug>(value: T) {
    let bytes = to_bytes(&value);
    assert_eq!(Reader::whole::<T>(&bytes).unwrap(), value, "{bytes:?}");
    // Every shorter prefix is an error, never a panic nor a value.
    for cut in 0..bytes.len() {
        assert!(Reader::whole::<T>(&bytes[..cut]).is_err(), "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(Reader::whole::<T>(&longer).is_err());
}

#[test]
fn numbers_come_back_as_they_went() {
    for n in [0, 1, 127, 128, 300, u64::MAX] {
        round_trip(n);
    }
    for n in [0, -1, 1, -64, 64, i64::MIN, i64::MAX] {
        round_trip(n);
    }
    for n in [0, -1, i32::MIN, i32::MAX] {
        round_trip(n);
    }
    for x in [0.0, -0.5, 1e300, f64::MIN_POSITIVE] {
        round_trip(x);
    }
    round_trip(u32::MAX);
    assert!(Reader::whole::<u32>(&to_bytes(&(u64::from(u32::MAX) + 1))).is_err());
}

#[test]
fn texts_lists_options_and_results_come_back() {
    round_trip("héllo; ünïcode".to_string());
    round_trip(vec![3u32, 0, 200]);
    round_trip(vec![0u8, 255, 7]);
    round_trip(Some(vec![String::new(), "x".to_string()]));
    round_trip(None::<u64>);
    round_trip(Box::new(true));
    round_trip(Ok::<u32, String>(7));
    round_trip(Err::<u32, String>("no".to_string()));
}

#[test]
fn json_values_keep_their_kind_of_number() {
    let v = json!({"a": [null, true, false, 0, 18446744073709551615u64, -3, 2.0, 0.1],
                   "b": {"c": "d"}, "": []});
    round_trip(v.clone());
    let back: Value = Reader::whole(&to_bytes(&v)).unwrap();
    assert!(back["a"][6].is_f64() && back["a"][3].is_u64() && back["a"][5].is_i64());
}

#[test]
fn structs_and_enums_are_their_fields_in_order() {
    round_trip(Shape::Dot {});
    round_trip(Shape::Line { from: -5, to: 9 });
    round_trip(Shape::Named {
        pair: Pair {
            name: "p".into(),
            n: 2,
        },
        tag: Some(false),
    });
    assert_eq!(to_bytes(&Shape::Line { from: -1, to: 1 }), [1, 1, 2]);
    let e = Reader::whole::<Shape>(&[3]).unwrap_err();
    assert!(e.contains("no Shape numbered 3"), "{e}");
}

#[test]
fn a_count_beyond_the_bytes_left_is_refused_before_reserving() {
    let e = Reader::whole::<Vec<u64>>(&to_bytes(&u64::MAX)).unwrap_err();
    assert!(e.contains("items in"), "{e}");
}
