// Placeholder so the package builds while FichierEmulator is written.
