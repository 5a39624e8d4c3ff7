"""What each feature adds to a student's checklist and to the staff's views, and the status answer."""
