//! Injected faults: which calls they match, how many more they hit, and the first one a
//! call meets. The first matching fault, in the order they were injected, is the one
//! that hits.

use app::domain::platform::{ErrorCode, PlatformError};
use app::domain::simulator::{Call, Fault, FaultEffect, FaultSpec, MAX_FAULTS};

/// What a call names, for matching: its data center (if it names one) and the product
/// group, application or cluster names in it.
#[derive(Debug, Clone, Default)]
pub struct Subject {
    pub data_center: Option<String>,
    pub names: Vec<String>,
}

impl Subject {
    /// "Payments / ledger in Shanghai-A", for the call log.
    pub fn describe(&self) -> String {
        let names = self.names.join(" / ");
        match &self.data_center {
            Some(dc) if names.is_empty() => dc.clone(),
            Some(dc) => format!("{names} in {dc}"),
            None => names,
        }
    }
}

/// A fault that hit a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hit {
    pub fault: u64,
    pub effect: FaultEffect,
    pub delay_ms: u32,
    /// For `flap`: whether this call is one of the bad half.
    pub flapped: bool,
}

#[derive(Debug, Default)]
pub struct Faults {
    next: u64,
    active: Vec<Fault>,
}

impl Faults {
    /// Adds a fault, checked; refused when the spec is wrong or too many are active.
    pub fn inject(&mut self, spec: FaultSpec) -> Result<Fault, PlatformError> {
        let spec = spec
            .checked()
            .map_err(|error| PlatformError::new(ErrorCode::BadRequest, error.message))?;
        if self.active.len() >= MAX_FAULTS {
            return Err(PlatformError {
                code: ErrorCode::NotPossible,
                message: format!("at most {MAX_FAULTS} faults can be active; clear some first"),
            });
        }
        self.next += 1;
        let fault = Fault {
            id: self.next,
            remaining: spec.times,
            spec,
            hits: 0,
        };
        self.active.push(fault.clone());
        Ok(fault)
    }

    /// Clears one fault; says whether it was there.
    pub fn clear(&mut self, id: u64) -> bool {
        let before = self.active.len();
        self.active.retain(|f| f.id != id);
        self.active.len() < before
    }

    pub fn clear_all(&mut self) {
        self.active.clear();
    }

    pub fn list(&self) -> Vec<Fault> {
        self.active.clone()
    }

    /// The fault that hits this call, counted; a fault whose count runs out goes. A
    /// `replay` (a key seen before) is not hit by `fail`: its outcome is already known.
    pub fn hit(&mut self, call: Call, subject: &Subject, replay: bool) -> Option<Hit> {
        let index = self.active.iter().position(|fault| {
            let spec = &fault.spec;
            spec.call == call
                && !(replay && spec.effect == FaultEffect::Fail)
                && spec
                    .data_center
                    .as_ref()
                    .is_none_or(|dc| subject.data_center.as_ref() == Some(dc))
                && spec
                    .target
                    .as_ref()
                    .is_none_or(|target| subject.names.contains(target))
        })?;
        let fault = &mut self.active[index];
        fault.hits += 1;
        let hit = Hit {
            fault: fault.id,
            effect: fault.spec.effect,
            delay_ms: fault.spec.delay_ms.unwrap_or(0),
            flapped: fault.hits % 2 == 1,
        };
        if let Some(remaining) = &mut fault.remaining {
            *remaining -= 1;
            if *remaining == 0 {
                self.active.remove(index);
            }
        }
        Some(hit)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec(times: Option<u32>, data_center: Option<&str>) -> FaultSpec {
        FaultSpec {
            call: Call::ApplicationRestart,
            data_center: data_center.map(String::from),
            target: None,
            effect: FaultEffect::Fail,
            times,
            delay_ms: None,
        }
    }

    fn subject(dc: &str) -> Subject {
        Subject {
            data_center: Some(dc.into()),
            names: vec!["Payments".into(), "ledger".into()],
        }
    }

    #[test]
    fn a_counted_fault_hits_its_calls_then_goes() {
        let mut faults = Faults::default();
        faults.inject(spec(Some(2), Some("B"))).unwrap();
        assert_eq!(
            faults.hit(Call::ApplicationRestart, &subject("A"), false),
            None
        );
        assert!(faults.hit(Call::TrafficCut, &subject("B"), false).is_none());
        assert!(
            faults
                .hit(Call::ApplicationRestart, &subject("B"), true)
                .is_none()
        );
        assert!(
            faults
                .hit(Call::ApplicationRestart, &subject("B"), false)
                .is_some()
        );
        assert!(
            faults
                .hit(Call::ApplicationRestart, &subject("B"), false)
                .is_some()
        );
        assert!(
            faults
                .hit(Call::ApplicationRestart, &subject("B"), false)
                .is_none()
        );
        assert!(faults.list().is_empty());
    }

    #[test]
    fn an_endless_fault_stays_until_cleared() {
        let mut faults = Faults::default();
        let fault = faults.inject(spec(None, None)).unwrap();
        for _ in 0..5 {
            assert!(
                faults
                    .hit(Call::ApplicationRestart, &subject("A"), false)
                    .is_some()
            );
        }
        assert_eq!(faults.list()[0].hits, 5);
        assert!(faults.clear(fault.id));
        assert!(!faults.clear(fault.id));
    }

    #[test]
    fn too_many_faults_are_refused() {
        let mut faults = Faults::default();
        for _ in 0..MAX_FAULTS {
            faults.inject(spec(None, None)).unwrap();
        }
        assert_eq!(
            faults.inject(spec(None, None)).unwrap_err().code,
            ErrorCode::NotPossible
        );
    }
}
