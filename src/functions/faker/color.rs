//! Color provider: Faker's RandomColor (randomColor.js port) and the simple color helpers.

use rand::RngExt;

use super::base::{Rng, pick};
use super::data::{COLOR_NAMES, SAFE_COLOR_NAMES};

struct ColorInfo {
    name: &'static str,
    hue: (i64, i64),
    lower_bounds: &'static [(i64, i64)],
}

const COLOR_MAP: &[ColorInfo] = &[
    ColorInfo {
        name: "monochrome",
        hue: (0, 0),
        lower_bounds: &[(0, 0), (100, 0)],
    },
    ColorInfo {
        name: "red",
        hue: (-26, 18),
        lower_bounds: &[
            (20, 100),
            (30, 92),
            (40, 89),
            (50, 85),
            (60, 78),
            (70, 70),
            (80, 60),
            (90, 55),
            (100, 50),
        ],
    },
    ColorInfo {
        name: "orange",
        hue: (19, 46),
        lower_bounds: &[
            (20, 100),
            (30, 93),
            (40, 88),
            (50, 86),
            (60, 85),
            (70, 70),
            (100, 70),
        ],
    },
    ColorInfo {
        name: "yellow",
        hue: (47, 62),
        lower_bounds: &[
            (25, 100),
            (40, 94),
            (50, 89),
            (60, 86),
            (70, 84),
            (80, 82),
            (90, 80),
            (100, 75),
        ],
    },
    ColorInfo {
        name: "green",
        hue: (63, 178),
        lower_bounds: &[
            (30, 100),
            (40, 90),
            (50, 85),
            (60, 81),
            (70, 74),
            (80, 64),
            (90, 50),
            (100, 40),
        ],
    },
    ColorInfo {
        name: "blue",
        hue: (179, 257),
        lower_bounds: &[
            (20, 100),
            (30, 86),
            (40, 80),
            (50, 74),
            (60, 60),
            (70, 52),
            (80, 44),
            (90, 39),
            (100, 35),
        ],
    },
    ColorInfo {
        name: "purple",
        hue: (258, 282),
        lower_bounds: &[
            (20, 100),
            (30, 87),
            (40, 79),
            (50, 70),
            (60, 65),
            (70, 59),
            (80, 52),
            (90, 45),
            (100, 42),
        ],
    },
    ColorInfo {
        name: "pink",
        hue: (283, 334),
        lower_bounds: &[
            (20, 100),
            (30, 90),
            (40, 86),
            (60, 84),
            (80, 80),
            (90, 75),
            (100, 73),
        ],
    },
];

fn color_info(hue: i64) -> Option<&'static ColorInfo> {
    let h = if (334..=360).contains(&hue) {
        hue - 360
    } else {
        hue
    };
    COLOR_MAP.iter().find(|c| c.hue.0 <= h && h <= c.hue.1)
}

fn within(r: &mut Rng, lo: f64, hi: f64) -> i64 {
    let (a, b) = (lo as i64, hi as i64);
    if a > b { a } else { r.random_range(a..=b) }
}

/// `color(hue=None, luminosity=None, color_format='hex')`. `hue` is a color name
/// (`red`, `monochrome`, …) or, as an extension for template text, a number 0–360;
/// empty text counts as missing.
pub fn color(
    r: &mut Rng,
    hue: Option<&str>,
    luminosity: Option<&str>,
    format: &str,
) -> Result<String, String> {
    let hue_name = hue.filter(|h| !h.is_empty());
    let range = match hue_name {
        None => (0, 360),
        Some(name) => match COLOR_MAP.iter().find(|c| c.name == name) {
            Some(c) => c.hue,
            None => match name.trim().parse::<f64>() {
                Ok(v) if (0.0..=360.0).contains(&v) => (v as i64, v as i64),
                _ => {
                    return Err("Hue must be a valid string, numeric type, or a tuple/list of 2 numeric types.".to_string());
                }
            },
        },
    };
    let mut h = within(r, range.0 as f64, range.1 as f64);
    if h < 0 {
        h += 360;
    }
    let info = color_info(h).ok_or_else(|| format!("Value of hue `{h}` is invalid."))?;
    let lum = luminosity.filter(|l| !l.is_empty());
    let s = if lum == Some("random") {
        within(r, 0.0, 100.0)
    } else if hue_name == Some("monochrome") {
        0
    } else {
        let bounds = info.lower_bounds;
        let (mut s_min, mut s_max) = (bounds[0].0, bounds[bounds.len() - 1].0);
        match lum {
            Some("bright") => s_min = 55,
            Some("dark") => s_min = s_max - 10,
            Some("light") => s_max = 55,
            _ => {}
        }
        within(r, s_min as f64, s_max as f64)
    };
    let b_min = min_brightness(h, s);
    let (b_lo, b_hi) = match lum {
        Some("dark") => (b_min, b_min + 20.0),
        Some("light") => ((100.0 + b_min) / 2.0, 100.0),
        Some("random") => (0.0, 100.0),
        _ => (b_min, 100.0),
    };
    let v = within(r, b_lo, b_hi);
    Ok(set_format(h, s, v, format))
}

fn min_brightness(h: i64, s: i64) -> f64 {
    let Some(info) = color_info(h) else {
        return 0.0;
    };
    for w in info.lower_bounds.windows(2) {
        let ((s1, v1), (s2, v2)) = (w[0], w[1]);
        if s1 <= s && s <= s2 {
            let m = (v2 - v1) as f64 / (s2 - s1) as f64;
            let b = v1 as f64 - m * s1 as f64;
            return m * s as f64 + b;
        }
    }
    0.0
}

fn hsv_to_rgb(h: i64, s: i64, v: i64) -> (u8, u8, u8) {
    let h = match h {
        0 => 1,
        360 => 359,
        x => x,
    };
    // colorsys.hsv_to_rgb
    let (h, s, v) = (h as f64 / 360.0, s as f64 / 100.0, v as f64 / 100.0);
    let (r, g, b) = if s == 0.0 {
        (v, v, v)
    } else {
        let i = (h * 6.0).floor();
        let f = h * 6.0 - i;
        let p = v * (1.0 - s);
        let q = v * (1.0 - s * f);
        let t = v * (1.0 - s * (1.0 - f));
        match (i as i64) % 6 {
            0 => (v, t, p),
            1 => (q, v, p),
            2 => (p, v, t),
            3 => (p, q, v),
            4 => (t, p, v),
            _ => (v, p, q),
        }
    };
    let c = |x: f64| (x * 255.0) as u8;
    (c(r), c(g), c(b))
}

fn set_format(h: i64, s: i64, v: i64, format: &str) -> String {
    match format {
        "hsv" => format!("hsv({h}, {s}, {v})"),
        "hsl" => {
            let (sf, vf) = (s as f64 / 100.0, v as f64 / 100.0);
            let l = 0.5 * vf * (2.0 - sf);
            let s2 = if l == 0.0 || l == 1.0 {
                0.0
            } else {
                vf * sf / (1.0 - (2.0 * l - 1.0).abs())
            };
            format!("hsl({h}, {}, {})", (s2 * 100.0) as i64, (l * 100.0) as i64)
        }
        "rgb" => {
            let (r, g, b) = hsv_to_rgb(h, s, v);
            format!("rgb({r}, {g}, {b})")
        }
        _ => {
            let (r, g, b) = hsv_to_rgb(h, s, v);
            format!("#{r:02x}{g:02x}{b:02x}")
        }
    }
}

pub fn color_name(r: &mut Rng) -> String {
    pick(r, COLOR_NAMES).to_string()
}

pub fn safe_color_name(r: &mut Rng) -> String {
    pick(r, SAFE_COLOR_NAMES).to_string()
}

pub fn hex_color(r: &mut Rng) -> String {
    format!("#{:06x}", r.random_range(1..=16_777_215u32))
}

pub fn safe_hex_color(r: &mut Rng) -> String {
    let mut c = || r.random_range(0..=15u32) * 17;
    format!("#{:02x}{:02x}{:02x}", c(), c(), c())
}

pub fn rgb_color(r: &mut Rng) -> String {
    let mut c = || r.random_range(0..=255u32);
    format!("{},{},{}", c(), c(), c())
}

pub fn rgb_css_color(r: &mut Rng) -> String {
    let mut c = || r.random_range(0..=255u32);
    format!("rgb({},{},{})", c(), c(), c())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn color_formats() {
        let r = &mut rand::rng();
        for _ in 0..300 {
            let c = color(r, None, None, "hex").unwrap();
            assert!(
                c.len() == 7 && c.starts_with('#') && c[1..].chars().all(|x| x.is_ascii_hexdigit()),
                "{c}"
            );
            assert!(
                color(r, Some("red"), Some("dark"), "rgb")
                    .unwrap()
                    .starts_with("rgb(")
            );
            assert!(
                color(r, Some("blue"), Some("light"), "hsl")
                    .unwrap()
                    .starts_with("hsl(")
            );
            assert!(
                color(r, Some("monochrome"), Some("random"), "hsv")
                    .unwrap()
                    .starts_with("hsv(")
            );
            assert!(color(r, Some("120"), Some("bright"), "hex").is_ok());
        }
        assert_eq!(hsv_to_rgb(0, 0, 100), (255, 255, 255));
        assert_eq!(set_format(0, 100, 100, "hex"), "#ff0400");
        assert!(color(r, Some("nope"), None, "hex").is_err());
    }
}
