//! `arithmetic(expression)`: quirk A51 Fix — a safe evaluator instead of Python `eval`.
//!
//! Grammar (Python precedence): `expr := term (('+'|'-') term)*`,
//! `term := unary (('*'|'/'|'//'|'%') unary)*`, `unary := ('+'|'-') unary | power`,
//! `power := atom ('**' unary)?`, `atom := number | '(' expr ')'`.
//! Numbers are Python int and float literals (`1_000`, `1.5e3`, `.5`); semantics follow
//! Python: `/` always gives a float, `//` and `%` floor, `**` with a negative int exponent
//! gives a float. Int overflow falls back to float (the value model has no big ints).

use crate::value::Value;

const MAX_DEPTH: usize = 200;

#[derive(Debug, Clone, Copy, PartialEq)]
enum Num {
    I(i64),
    F(f64),
}

impl Num {
    fn f(self) -> f64 {
        match self {
            Num::I(i) => i as f64,
            Num::F(f) => f,
        }
    }
}

/// Evaluates `expression`; any failure is `四则运算表达式错误:<expression>`.
pub fn arithmetic(expression: &str) -> Result<Value, String> {
    let err = || format!("四则运算表达式错误:{expression}");
    let mut p = Parser {
        s: expression.as_bytes(),
        pos: 0,
        depth: 0,
    };
    let v = p.expr().ok_or_else(err)?;
    p.ws();
    if p.pos != p.s.len() {
        return Err(err());
    }
    Ok(match v {
        Num::I(i) => Value::Int(i),
        Num::F(f) => Value::Float(f),
    })
}

struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn ws(&mut self) {
        while self
            .s
            .get(self.pos)
            .is_some_and(|c| matches!(c, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c'))
        {
            self.pos += 1;
        }
    }

    fn peek(&mut self, tok: &str) -> bool {
        self.ws();
        self.s[self.pos..].starts_with(tok.as_bytes())
    }

    fn eat(&mut self, tok: &str) -> bool {
        if self.peek(tok) {
            self.pos += tok.len();
            true
        } else {
            false
        }
    }

    fn expr(&mut self) -> Option<Num> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let mut acc = self.term()?;
        loop {
            if self.eat("+") {
                acc = add(acc, self.term()?);
            } else if self.eat("-") {
                acc = sub(acc, self.term()?);
            } else {
                break;
            }
        }
        self.depth -= 1;
        Some(acc)
    }

    fn term(&mut self) -> Option<Num> {
        let mut acc = self.unary()?;
        loop {
            if self.eat("//") {
                acc = floordiv(acc, self.unary()?)?;
            } else if self.eat("*") {
                acc = mul(acc, self.unary()?);
            } else if self.eat("/") {
                acc = truediv(acc, self.unary()?)?;
            } else if self.eat("%") {
                acc = modulo(acc, self.unary()?)?;
            } else {
                break;
            }
        }
        Some(acc)
    }

    fn unary(&mut self) -> Option<Num> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return None;
        }
        let v = if self.eat("-") {
            neg(self.unary()?)
        } else if self.eat("+") {
            self.unary()?
        } else {
            self.power()?
        };
        self.depth -= 1;
        Some(v)
    }

    fn power(&mut self) -> Option<Num> {
        let base = self.atom()?;
        if self.eat("**") {
            let exp = self.unary()?;
            return pow(base, exp);
        }
        Some(base)
    }

    fn atom(&mut self) -> Option<Num> {
        if self.eat("(") {
            let v = self.expr()?;
            if !self.eat(")") {
                return None;
            }
            return Some(v);
        }
        self.number()
    }

    fn number(&mut self) -> Option<Num> {
        self.ws();
        let start = self.pos;
        let s = self.s;
        let digits = |p: &mut usize| {
            let st = *p;
            while *p < s.len() && (s[*p].is_ascii_digit() || s[*p] == b'_') {
                *p += 1;
            }
            st != *p
        };
        let mut p = self.pos;
        let int_part = digits(&mut p);
        let mut is_float = false;
        if p < s.len() && s[p] == b'.' {
            p += 1;
            is_float = true;
            let frac = digits(&mut p);
            if !int_part && !frac {
                return None;
            }
        } else if !int_part {
            return None;
        }
        if p < s.len() && (s[p] == b'e' || s[p] == b'E') {
            let mut q = p + 1;
            if q < s.len() && (s[q] == b'+' || s[q] == b'-') {
                q += 1;
            }
            if digits(&mut q) {
                p = q;
                is_float = true;
            }
        }
        // A literal directly followed by a name character (`1abc`, `0x1`) is a syntax error.
        if p < s.len() && (s[p].is_ascii_alphanumeric() || s[p] == b'.') {
            return None;
        }
        let text = std::str::from_utf8(&s[start..p]).ok()?;
        if text.contains("__") || text.ends_with('_') || text.contains("_.") || text.contains("._")
        {
            return None;
        }
        let clean: String = text.chars().filter(|c| *c != '_').collect();
        self.pos = p;
        if is_float {
            return clean.parse::<f64>().ok().map(Num::F);
        }
        // Python rejects leading zeros in non-zero decimal ints (`012`).
        if clean.len() > 1 && clean.starts_with('0') && clean.bytes().any(|c| c != b'0') {
            return None;
        }
        Some(match clean.parse::<i64>() {
            Ok(i) => Num::I(i),
            Err(_) => Num::F(clean.parse::<f64>().ok()?),
        })
    }
}

fn add(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::I(x), Num::I(y)) => x.checked_add(y).map_or(Num::F(x as f64 + y as f64), Num::I),
        _ => Num::F(a.f() + b.f()),
    }
}

fn sub(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::I(x), Num::I(y)) => x.checked_sub(y).map_or(Num::F(x as f64 - y as f64), Num::I),
        _ => Num::F(a.f() - b.f()),
    }
}

fn mul(a: Num, b: Num) -> Num {
    match (a, b) {
        (Num::I(x), Num::I(y)) => x.checked_mul(y).map_or(Num::F(x as f64 * y as f64), Num::I),
        _ => Num::F(a.f() * b.f()),
    }
}

fn neg(a: Num) -> Num {
    match a {
        Num::I(x) => x.checked_neg().map_or(Num::F(-(x as f64)), Num::I),
        Num::F(f) => Num::F(-f),
    }
}

fn truediv(a: Num, b: Num) -> Option<Num> {
    if b.f() == 0.0 {
        return None; // ZeroDivisionError
    }
    Some(Num::F(a.f() / b.f()))
}

fn floordiv(a: Num, b: Num) -> Option<Num> {
    match (a, b) {
        (Num::I(_), Num::I(0)) => None,
        (Num::I(x), Num::I(y)) => match x.checked_div_euclid(y) {
            Some(_) => {
                let q = x.checked_div(y)?;
                let r = x.checked_rem(y)?;
                Some(Num::I(if r != 0 && ((r < 0) != (y < 0)) {
                    q - 1
                } else {
                    q
                }))
            }
            None => Some(Num::F((x as f64 / y as f64).floor())),
        },
        _ => {
            let (x, y) = (a.f(), b.f());
            if y == 0.0 {
                return None;
            }
            Some(Num::F(py_float_divmod(x, y).0))
        }
    }
}

fn modulo(a: Num, b: Num) -> Option<Num> {
    match (a, b) {
        (Num::I(_), Num::I(0)) => None,
        (Num::I(x), Num::I(y)) => match x.checked_rem(y) {
            Some(r) => Some(Num::I(if r != 0 && ((r < 0) != (y < 0)) {
                r + y
            } else {
                r
            })),
            None => Some(Num::I(0)), // i64::MIN % -1
        },
        _ => {
            let (x, y) = (a.f(), b.f());
            if y == 0.0 {
                return None;
            }
            Some(Num::F(py_float_divmod(x, y).1))
        }
    }
}

/// CPython `float_divmod`.
fn py_float_divmod(vx: f64, wx: f64) -> (f64, f64) {
    let mut m = vx % wx;
    let mut div = (vx - m) / wx;
    if m != 0.0 {
        if (wx < 0.0) != (m < 0.0) {
            m += wx;
            div -= 1.0;
        }
    } else {
        m = 0.0_f64.copysign(wx);
    }
    let floordiv = if div != 0.0 {
        let f = div.floor();
        if div - f > 0.5 { f + 1.0 } else { f }
    } else {
        0.0_f64.copysign(vx / wx)
    };
    (floordiv, m)
}

fn pow(a: Num, b: Num) -> Option<Num> {
    match (a, b) {
        (Num::I(x), Num::I(y)) if y >= 0 => {
            let r = u32::try_from(y).ok().and_then(|e| x.checked_pow(e));
            Some(r.map_or_else(|| Num::F((x as f64).powf(y as f64)), Num::I))
        }
        _ => {
            let (x, y) = (a.f(), b.f());
            if x == 0.0 && y < 0.0 {
                return None; // ZeroDivisionError
            }
            if x < 0.0 && y.fract() != 0.0 {
                return None; // Python would produce a complex number
            }
            let r = x.powf(y);
            if r.is_infinite() && x.is_finite() && y.is_finite() {
                return None; // OverflowError
            }
            Some(Num::F(r))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ev(s: &str) -> Value {
        arithmetic(s).unwrap()
    }

    #[test]
    fn quirk_a51_python_semantics_without_eval() {
        assert_eq!(ev("1+2*3"), Value::Int(7));
        assert_eq!(ev("10/4"), Value::Float(2.5));
        assert_eq!(ev("10/5"), Value::Float(2.0));
        assert_eq!(ev("7//2"), Value::Int(3));
        assert_eq!(ev("-7//2"), Value::Int(-4));
        assert_eq!(ev("7.5//2"), Value::Float(3.0));
        assert_eq!(ev("-7%3"), Value::Int(2));
        assert_eq!(ev("7%-3"), Value::Int(-2));
        assert_eq!(ev("-7.5%2"), Value::Float(0.5));
        assert_eq!(ev("2**10"), Value::Int(1024));
        assert_eq!(ev("2**-1"), Value::Float(0.5));
        assert_eq!(ev("-2**2"), Value::Int(-4));
        assert_eq!(ev("2**3**2"), Value::Int(512));
        assert_eq!(ev("(1+2)*3"), Value::Int(9));
        assert_eq!(ev(" - ( 3 - 5 ) "), Value::Int(2));
        assert_eq!(ev("--3"), Value::Int(3));
        assert_eq!(ev("1.5e3+1_000"), Value::Float(2500.0));
        assert_eq!(ev(".5*2"), Value::Float(1.0));
        assert_eq!(ev("0.1+0.2"), Value::Float(0.30000000000000004));
        assert_eq!(ev("5*2"), Value::Int(10));
        assert_eq!(
            ev("9223372036854775807+1"),
            Value::Float(9.223372036854776e18)
        );
    }

    #[test]
    fn quirk_a51_rejects_code_and_bad_syntax() {
        for bad in [
            "",
            "__import__('os').system('id')",
            "1/0",
            "1//0",
            "1%0",
            "0**-1",
            "1+",
            "(1",
            "1)",
            "abc",
            "1 2",
            "012",
            "1__0",
            "(-8)**0.5",
            "[1]",
            "1e",
        ] {
            assert_eq!(
                arithmetic(bad),
                Err(format!("四则运算表达式错误:{bad}")),
                "{bad}"
            );
        }
        let deep = "(".repeat(10_000) + "1" + ")".repeat(10_000).as_str();
        assert!(arithmetic(&deep).is_err());
    }
}
