"""Insurance certificates (参保证明, Q16): issued PDFs with a number and a QR code, verifiable in public."""
