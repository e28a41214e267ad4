//! "Did you mean" suggestions: most mistakes in hand-edited scenario files are typos of a
//! word the loader knows, and naming the right word is the fastest fix.

/// The known word closest to `word`, if it is close enough to be the likely intent.
pub(super) fn closest<'a, I>(word: &str, known: I) -> Option<&'a str>
where
    I: IntoIterator<Item = &'a str>,
{
    let lower = word.to_lowercase();
    let limit = (lower.chars().count() / 3).max(1);
    known
        .into_iter()
        .map(|candidate| {
            // A cut-short word ("block" for "blocked") is as likely a slip as a typo.
            let cut_short = lower.len() >= 3 && candidate.starts_with(lower.as_str());
            let distance = strsim::damerau_levenshtein(&lower, candidate);
            (if cut_short { 1 } else { distance }, candidate)
        })
        .filter(|(distance, candidate)| *distance <= limit && *candidate != word)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate)
}

/// `did you mean `x`? ` or nothing.
pub(super) fn did_you_mean<'a, I>(word: &str, known: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    closest(word, known).map(|c| format!("did you mean `{c}`?"))
}

/// A hint for a value outside a fixed set: the likely intent, then every allowed value.
pub(super) fn one_of(word: &str, allowed: &[&str]) -> String {
    let list = allowed.join(", ");
    match closest(word, allowed.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? (allowed: {list})"),
        None => format!("allowed: {list}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_a_near_miss() {
        let keys = ["verdict", "mechanism", "actor"];
        assert_eq!(closest("verdit", keys), Some("verdict"));
        assert_eq!(closest("Actor", keys), Some("actor"));
        assert_eq!(closest("mechansim", keys), Some("mechanism"));
        assert_eq!(
            closest("block", ["blocked", "interstitial"]),
            Some("blocked")
        );
    }

    #[test]
    fn suggests_nothing_for_an_unrelated_word() {
        assert_eq!(closest("colour", ["verdict", "actor"]), None);
    }

    #[test]
    fn one_of_lists_every_allowed_value() {
        assert_eq!(
            one_of("andriod", &["android", "ios"]),
            "did you mean `android`? (allowed: android, ios)"
        );
        assert_eq!(one_of("x", &["android", "ios"]), "allowed: android, ios");
    }
}
