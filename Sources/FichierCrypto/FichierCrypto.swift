// Placeholder so the package builds while FichierCrypto is written.
