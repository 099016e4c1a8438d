"""The sender-ID lab on screen: its screen, its inputs, its matrix."""
