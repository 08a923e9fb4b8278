// Placeholder so the package builds while FichierAPI is written.
