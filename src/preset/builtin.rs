use super::error::PresetError;
use super::experiment::Experiment;

/// A preset shipped inside the binary (from `assets/presets/`).
#[derive(Clone, Copy, Debug)]
pub struct BuiltinPreset {
    /// File stem, e.g. `cpu-threads-vs-processes`.
    pub id: &'static str,
    pub json: &'static str,
}

impl BuiltinPreset {
    pub fn experiment(&self) -> Result<Experiment, PresetError> {
        Experiment::from_json(self.json)
    }
}

macro_rules! builtin {
    ($id:literal) => {
        BuiltinPreset {
            id: $id,
            json: include_str!(concat!("../../assets/presets/", $id, ".json")),
        }
    };
}

const BUILTIN: &[BuiltinPreset] = &[
    // First: what the workbench opens on at its first start (see `START_HERE`).
    builtin!("start-here"),
    builtin!("cpu-threads-vs-processes"),
    builtin!("io-threads-vs-processes"),
    builtin!("gil-cpu-bound"),
    builtin!("gil-io-bound"),
    builtin!("lost-updates"),
    builtin!("lost-updates-processes"),
    builtin!("lock-contention"),
    builtin!("lock-contention-processes"),
    builtin!("memory-bandwidth"),
    builtin!("compute-wait-crossover"),
    builtin!("python-gil-vs-processes"),
    builtin!("python-lost-updates"),
    builtin!("from-cores-to-a-cluster"),
    builtin!("from-cores-to-a-cluster-fine"),
    builtin!("waiting-threads-vs-async"),
    builtin!("sending-data-to-processes"),
];

/// The preset the workbench opens on when it has no saved state: a short tour.
pub const START_HERE: &str = "start-here";

/// All built-in presets, in gallery order.
pub fn builtin_presets() -> &'static [BuiltinPreset] {
    BUILTIN
}

/// Finds a built-in preset by id (with or without `.json`).
pub fn find_builtin(name: &str) -> Option<&'static BuiltinPreset> {
    let id = name.strip_suffix(".json").unwrap_or(name);
    let id = id.rsplit('/').next().unwrap_or(id);
    BUILTIN.iter().find(|p| p.id == id)
}

/// The built-in preset whose name is nearest to `name`, when it is near enough to be a typo
/// (by the rule that suggests preset fields, [`super::closest`]), letter case aside:
/// `lost-updates` for `lostupdates`, `start-here` for `Start-Here`.
pub fn nearest_builtin(name: &str) -> Option<&'static BuiltinPreset> {
    let ids: Vec<String> = BUILTIN.iter().map(|p| p.id.to_string()).collect();
    let nearest = super::closest(&name.to_lowercase(), &ids)?;
    BUILTIN.iter().find(|p| p.id == nearest)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_preset_name_gets_the_nearest_one() {
        let nearest = |name: &str| nearest_builtin(name).map(|p| p.id);
        assert_eq!(nearest("lostupdates"), Some("lost-updates"));
        assert_eq!(nearest("lost-updatez"), Some("lost-updates"));
        assert_eq!(nearest("Start-Here"), Some("start-here"));
        assert_eq!(nearest("lost-update"), Some("lost-updates"));
        assert_eq!(nearest("something-else-entirely"), None);
    }
}
