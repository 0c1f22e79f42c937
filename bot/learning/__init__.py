"""The learning loop: turn logged, labelled questions into proven knowledge-base proposals and reports."""
