//! Whether two word slices are equal, fast: the WAL index's hottest compare
//! (every shm lock compares private regions with their shadows). In the
//! browser it loads 128 bits at a time with wasm SIMD, the one unsafe code of
//! the VFS outside its C callbacks.

/// Whether two equally long word slices are equal. Not `==`: on slices of
/// integers that calls memcmp, which in wasm compares byte by byte, and every
/// commit compares a whole 32 KiB region. In the browser, sixteen words per step
/// in four 128-bit loads of each side (wasm SIMD, `.cargo/config.toml`).
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
pub(super) fn same(a: &[u32], b: &[u32]) -> bool {
    use core::arch::wasm32::{v128, v128_any_true, v128_load, v128_or, v128_xor};
    debug_assert_eq!(a.len(), b.len());
    let wide = a.len().min(b.len()) / 16;
    let (pa, pb) = (a.as_ptr().cast::<v128>(), b.as_ptr().cast::<v128>());
    for i in (0..wide * 4).step_by(4) {
        // SAFETY: i + 3 < wide * 4, so each 16-byte load reads words below
        // wide * 16, inside both slices; wasm loads need no alignment.
        let differ = unsafe {
            let d0 = v128_xor(v128_load(pa.add(i)), v128_load(pb.add(i)));
            let d1 = v128_xor(v128_load(pa.add(i + 1)), v128_load(pb.add(i + 1)));
            let d2 = v128_xor(v128_load(pa.add(i + 2)), v128_load(pb.add(i + 2)));
            let d3 = v128_xor(v128_load(pa.add(i + 3)), v128_load(pb.add(i + 3)));
            v128_any_true(v128_or(v128_or(d0, d1), v128_or(d2, d3)))
        };
        if differ {
            return false;
        }
    }
    let tail = wide * 16;
    a[tail..].iter().zip(&b[tail..]).all(|(p, q)| p == q)
}

/// `same` without SIMD: eight words per step, written out so that they compile
/// to straight loads and xors even where loops are not unrolled.
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
pub(super) fn same(a: &[u32], b: &[u32]) -> bool {
    debug_assert_eq!(a.len(), b.len());
    let (a8, b8) = (a.chunks_exact(8), b.chunks_exact(8));
    let tail_same = a8
        .remainder()
        .iter()
        .zip(b8.remainder())
        .all(|(p, q)| p == q);
    tail_same
        && a8.zip(b8).all(|(x, y)| {
            let [x0, x1, x2, x3, x4, x5, x6, x7] = <[u32; 8]>::try_from(x).unwrap_or_default();
            let [y0, y1, y2, y3, y4, y5, y6, y7] = <[u32; 8]>::try_from(y).unwrap_or_default();
            (x0 ^ y0)
                | (x1 ^ y1)
                | (x2 ^ y2)
                | (x3 ^ y3)
                | (x4 ^ y4)
                | (x5 ^ y5)
                | (x6 ^ y6)
                | (x7 ^ y7)
                == 0
        })
}

#[cfg(test)]
mod tests {
    use super::same;

    #[test]
    fn equal_slices_and_a_difference_anywhere() {
        let a: Vec<u32> = (0..8200).collect();
        assert!(same(&a, &a.clone()));
        for at in [0, 7, 8, 15, 16, 8191, 8199] {
            let mut b = a.clone();
            b[at] ^= 1;
            assert!(!same(&a, &b), "a difference at {at}");
        }
        assert!(same(&[], &[]));
    }
}
