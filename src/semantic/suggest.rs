//! "Did you mean …?" for misspelled names.

/// The candidate closest to `name`, if it is close enough to be a likely typo.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_lowercase();
    candidates
        .into_iter()
        .map(|c| {
            // Case differences are the most common slip: rank them first.
            let distance = if c.to_lowercase() == lower {
                0
            } else {
                strsim::levenshtein(&lower, &c.to_lowercase())
            };
            (distance, c)
        })
        .filter(|&(d, c)| d <= (c.chars().count().max(2) / 3).max(1))
        .min_by_key(|&(d, c)| (d, c.len()))
        .map(|(_, c)| c)
}

pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(name, candidates).map(|c| format!("did you mean `{c}`?"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_names_only() {
        let cols = ["Account", "TimeGenerated", "Category"];
        assert_eq!(closest("Acount", cols), Some("Account"));
        assert_eq!(closest("category", cols), Some("Category"));
        assert_eq!(closest("Zebra", cols), None);
    }
}
