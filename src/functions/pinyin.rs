//! `pinyin(cname)`: pypinyin `lazy_pinyin` (style NORMAL: no tones, `ü` written `v`),
//! pieces concatenated; characters without a reading (Latin text, digits, punctuation)
//! are kept as they are.
//!
//! The `pinyin` crate reads one character at a time. pypinyin also consults a large phrase
//! dictionary for heteronyms; the phrases of the generated Faker data and some common words
//! are listed here (longest match wins) so that e.g. `银行` gives `yinhang` like pypinyin,
//! and the 21 characters whose default reading differs between the two libraries are
//! overridden (checked against pypinyin 0.40 for U+3400–U+4DBF and U+4E00–U+9FFF). Other
//! heteronyms in other phrases use the character's default reading.

use pinyin::ToPinyin;

/// (phrase, pypinyin reading per character): phrases of the generated data and common
/// words whose pypinyin phrase reading differs from the characters' default readings.
const PHRASES: &[(&str, &[&str])] = &[
    ("万古长青", &["wan", "gu", "chang", "qing"]),
    ("中国银行", &["zhong", "guo", "yin", "hang"]),
    ("临床协调员", &["lin", "chuang", "xie", "tiao", "yuan"]),
    ("义薄云天", &["yi", "bo", "yun", "tian"]),
    ("会计", &["kuai", "ji"]),
    ("会计学", &["kuai", "ji", "xue"]),
    ("会计师", &["kuai", "ji", "shi"]),
    ("佛山", &["fo", "shan"]),
    ("便宜", &["pian", "yi"]),
    ("六安", &["lu", "an"]),
    ("协调发展", &["xie", "tiao", "fa", "zhan"]),
    ("协调员", &["xie", "tiao", "yuan"]),
    ("单于", &["chan", "yu"]),
    ("厦门", &["xia", "men"]),
    ("固定资产会计", &["gu", "ding", "zi", "chan", "kuai", "ji"]),
    ("宏观调控", &["hong", "guan", "tiao", "kong"]),
    ("巴勒斯坦", &["ba", "le", "si", "tan"]),
    ("成都", &["cheng", "du"]),
    ("投资银行", &["tou", "zi", "yin", "hang"]),
    ("投资银行业务", &["tou", "zi", "yin", "hang", "ye", "wu"]),
    (
        "投资银行财务分析",
        &["tou", "zi", "yin", "hang", "cai", "wu", "fen", "xi"],
    ),
    ("朝阳", &["zhao", "yang"]),
    ("朝阳区", &["chao", "yang", "qu"]),
    ("模具工", &["mu", "ju", "gong"]),
    ("模具工程师", &["mu", "ju", "gong", "cheng", "shi"]),
    ("瑜伽老师", &["yu", "jia", "lao", "shi"]),
    ("畜牧业", &["xu", "mu", "ye"]),
    ("畜牧师", &["xu", "mu", "shi"]),
    ("睡觉", &["shui", "jiao"]),
    ("秘鲁", &["bi", "lu"]),
    ("空调工", &["kong", "tiao", "gong"]),
    ("空调维修", &["kong", "tiao", "wei", "xiu"]),
    ("良好调制", &["liang", "hao", "tiao", "zhi"]),
    ("蚌埠", &["beng", "bu"]),
    ("行业", &["hang", "ye"]),
    ("西藏自治区", &["xi", "zang", "zi", "zhi", "qu"]),
    ("调整", &["tiao", "zheng"]),
    ("调色员", &["tiao", "se", "yuan"]),
    ("调解人", &["tiao", "jie", "ren"]),
    ("那些", &["nei", "xie"]),
    ("重复", &["chong", "fu"]),
    ("重庆", &["chong", "qing"]),
    ("重庆市", &["chong", "qing", "shi"]),
    ("重新中介", &["chong", "xin", "zhong", "jie"]),
    ("重新利用", &["chong", "xin", "li", "yong"]),
    ("重新定义", &["chong", "xin", "ding", "yi"]),
    ("重新对齐", &["chong", "xin", "dui", "qi"]),
    ("重新设计", &["chong", "xin", "she", "ji"]),
    ("重新语境化", &["chong", "xin", "yu", "jing", "hua"]),
    ("银行", &["yin", "hang"]),
    ("银行卡", &["yin", "hang", "ka"]),
    ("银行客户总监", &["yin", "hang", "ke", "hu", "zong", "jian"]),
    ("银行柜员", &["yin", "hang", "gui", "yuan"]),
    ("长城", &["chang", "cheng"]),
    ("长安", &["chang", "an"]),
    ("长寿", &["chang", "shou"]),
    ("长度", &["chang", "du"]),
    ("长春", &["chang", "chun"]),
    ("长春市", &["chang", "chun", "shi"]),
    ("长期", &["chang", "qi"]),
    ("长江", &["chang", "jiang"]),
    ("长沙", &["chang", "sha"]),
    ("长沙市", &["chang", "sha", "shi"]),
    ("音乐", &["yin", "yue"]),
    ("音乐家", &["yin", "yue", "jia"]),
];

/// Characters whose default reading in the `pinyin` crate differs from pypinyin 0.40's.
const CHAR_OVERRIDES: &[(char, &str)] = &[
    ('㴔', "xi"),
    ('㵥', "bi"),
    ('䥑', "wan"),
    ('䦟', "wen"),
    ('咁', "han"),
    ('婥', "nao"),
    ('帧', "zheng"),
    ('杢', "jiang"),
    ('枠', "zui"),
    ('瞓', "shui"),
    ('筽', "o"),
    ('谁', "shei"),
    ('輅', "he"),
    ('釓', "qiu"),
    ('鈈', "pi"),
    ('鉚', "liu"),
    ('鉻', "luo"),
    ('鋨', "tie"),
    ('錒', "ke"),
    ('鍺', "duo"),
    ('霰', "san"),
];

/// Converts `text`; the empty string gives the empty string (pypinyin would make
/// `reduce()` fail on the empty list — not worth reproducing).
pub fn pinyin(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::new();
    let mut i = 0;
    while i < chars.len() {
        if let Some((len, readings)) = phrase_at(&chars[i..]) {
            for r in readings {
                out.push_str(r);
            }
            i += len;
            continue;
        }
        let c = chars[i];
        if let Some((_, p)) = CHAR_OVERRIDES.iter().find(|(o, _)| *o == c) {
            out.push_str(p);
        } else {
            match c.to_pinyin() {
                Some(p) => out.push_str(&p.plain().replace('ü', "v")),
                None => out.push(c),
            }
        }
        i += 1;
    }
    out
}

fn phrase_at(chars: &[char]) -> Option<(usize, &'static [&'static str])> {
    PHRASES
        .iter()
        .filter(|(p, _)| {
            let n = p.chars().count();
            chars.len() >= n && p.chars().zip(chars).all(|(a, b)| a == *b)
        })
        .max_by_key(|(p, _)| p.chars().count())
        .map(|(p, r)| (p.chars().count(), *r))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lazy_pinyin_concatenated() {
        assert_eq!(pinyin("中文"), "zhongwen");
        assert_eq!(pinyin("绿色"), "lvse");
        assert_eq!(pinyin("女儿"), "nver");
        assert_eq!(pinyin("abc中文def"), "abczhongwendef");
        assert_eq!(pinyin("中,文 1"), "zhong,wen 1");
        assert_eq!(pinyin("银行"), "yinhang");
        assert_eq!(pinyin("中国银行卡"), "zhongguoyinhangka");
        assert_eq!(pinyin("重庆"), "chongqing");
        assert_eq!(pinyin("张三"), "zhangsan");
        assert_eq!(pinyin("〇"), "ling");
        assert_eq!(pinyin("ABC"), "ABC");
        assert_eq!(pinyin(""), "");
        assert_eq!(pinyin("😀"), "😀");
        assert_eq!(pinyin("长沙"), "changsha");
        assert_eq!(pinyin("朝阳区"), "chaoyangqu");
        assert_eq!(pinyin("谁"), "shei");
        assert_eq!(pinyin("会计师"), "kuaijishi");
    }
}
