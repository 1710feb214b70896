"""Item pipelines, in order: normalise, validate, dedupe, store."""
