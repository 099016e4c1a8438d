"""One compose form per channel on one base: SMS, email, and the messaging apps."""
