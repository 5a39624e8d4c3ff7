"""What follows a decision or a submission, one module per concept (as models/ and handlers/)."""
