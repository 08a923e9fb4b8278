// Placeholder so the package builds while FichierRPC is written.
