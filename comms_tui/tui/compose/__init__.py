"""The compose wing: the screen, one tab per channel, the forms, the send flow, templates."""
