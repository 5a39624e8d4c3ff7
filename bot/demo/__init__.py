"""The demo cohort: its people and schools (CSV) and the seeder that brings it to mid-year."""
