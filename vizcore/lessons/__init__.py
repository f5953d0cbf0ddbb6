"""One module per lesson: its settings class, its presets (one ``vizcore.config.Preset`` type for all),
and functions from a trained run to the arrays its page draws. Concepts live one level up, in vizcore."""
