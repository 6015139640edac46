//! Lorem provider, zh_CN: Chinese words (the `fake` crate's ZH_CN word list) joined
//! without spaces (`word_connector = ''`), sentences ending with `.` as in Faker.

use fake::locales::{Data, ZH_CN};

use super::base::{Rng, pick, randomize_nb_elements};

pub fn word(r: &mut Rng) -> String {
    pick(r, ZH_CN::LOREM_WORD).to_string()
}

/// `words(nb=3)`; a negative count gives an empty list like `random.choices(k<0)`.
pub fn words(r: &mut Rng, nb: i64) -> Result<Vec<String>, String> {
    check_count(nb)?;
    Ok((0..nb.max(0)).map(|_| word(r)).collect())
}

fn check_count(n: i64) -> Result<(), String> {
    if n > 100_000 {
        return Err(format!("count {n} is too large"));
    }
    Ok(())
}

/// `sentence(nb_words=6, variable_nb_words=True)`.
pub fn sentence(r: &mut Rng, nb_words: i64, variable: bool) -> Result<String, String> {
    if nb_words <= 0 {
        return Ok(String::new());
    }
    let n = if variable {
        randomize_nb_elements(r, nb_words, Some(1))
    } else {
        nb_words
    };
    Ok(words(r, n)?.concat() + ".")
}

/// `sentences(nb=3)`: list of default sentences.
pub fn sentences(r: &mut Rng, nb: i64) -> Result<Vec<String>, String> {
    check_count(nb)?;
    (0..nb.max(0)).map(|_| sentence(r, 6, true)).collect()
}

/// `paragraph(nb_sentences=3, variable_nb_sentences=True)`.
pub fn paragraph(r: &mut Rng, nb: i64, variable: bool) -> Result<String, String> {
    if nb <= 0 {
        return Ok(String::new());
    }
    let n = if variable {
        randomize_nb_elements(r, nb, Some(1))
    } else {
        nb
    };
    Ok(sentences(r, n)?.concat())
}

/// `paragraphs(nb=3)`.
pub fn paragraphs(r: &mut Rng, nb: i64) -> Result<Vec<String>, String> {
    check_count(nb)?;
    (0..nb.max(0)).map(|_| paragraph(r, 3, true)).collect()
}

/// `text(max_nb_chars=200)`: words (< 25), sentences (< 100) or `\n`-joined paragraphs,
/// adding pieces while under the limit and dropping the last one (Faker's algorithm).
pub fn text(r: &mut Rng, max_nb_chars: i64) -> Result<String, String> {
    if max_nb_chars < 5 {
        return Err("text() can only generate text of at least 5 characters".to_string());
    }
    check_count(max_nb_chars)?;
    let mut parts: Vec<String> = Vec::new();
    while parts.is_empty() {
        let mut size = 0i64;
        while size < max_nb_chars {
            let piece = if max_nb_chars < 25 {
                word(r)
            } else if max_nb_chars < 100 {
                sentence(r, 6, true)?
            } else {
                let sep = if size > 0 { "\n" } else { "" };
                format!("{sep}{}", paragraph(r, 3, true)?)
            };
            size += piece.chars().count() as i64;
            parts.push(piece);
        }
        parts.pop();
    }
    let mut out = parts.concat();
    if max_nb_chars < 25 {
        out.push('.');
    }
    Ok(out)
}

/// `texts(nb_texts=3, max_nb_chars=200)`.
pub fn texts(r: &mut Rng, nb: i64, max_nb_chars: i64) -> Result<Vec<String>, String> {
    check_count(nb)?;
    (0..nb.max(0)).map(|_| text(r, max_nb_chars)).collect()
}
