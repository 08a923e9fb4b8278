/// The upload node's HTML pages. Messages sit in the first `<div class="bloc2">`, in French,
/// as on the service.
enum NodePages {
    static let noFileFound = "Pas de fichier trouvé dans l'envoi"
    static let cannotOpenDestination = "Ne peut ouvrir le fichier destination"
    // The emulator's own texts (the service's wording is unknown).
    static let invalidUploadID = "Identifiant d'envoi invalide"
    static let uploadIDUsed = "Cet identifiant d'envoi a déjà été utilisé"
    static let invalidFileName = "Nom de fichier invalide"
    static let unknownReport = "Envoi inconnu ou expiré : cette page n'est plus accessible"
    static let lengthRequired = "Content-Length requis"
    static let tooLarge = "Envoi trop volumineux (500 Go maximum)"
    static let serverError = "Erreur interne du serveur"
    static let methodNotAllowed = "Méthode non autorisée"

    private static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="fr">
        <head><meta charset="utf-8"><title>\(title)</title></head>
        <body>
        <div class="bloc1"><a href="https://1fichier.com/">1fichier.com</a></div>
        \(body)
        </body>
        </html>

        """
    }

    /// A refusal: the message in `<div class="bloc2">`.
    static func error(_ message: String) -> String {
        page(title: "1fichier.com: Erreur", body: "<div class=\"bloc2\">\(HTMLText.escape(message))</div>")
    }

    /// The body of upload.cgi's 302 to end.pl.
    static func redirect(to location: String) -> String {
        let escaped = HTMLText.escape(location)
        return page(
            title: "Moved ! Temporary Redirect",
            body: "<div class=\"bloc2\">Moved ! Temporary Redirect</div>\n"
                + "<div class=\"bloc3\">Veuillez patienter / Please wait : <a href=\"\(escaped)\">\(escaped)</a></div>")
    }

    /// end.pl while the upload is still being processed.
    static func pleaseWait(xid: String) -> String {
        page(
            title: "Veuillez patienter / Please wait",
            body: "<div class=\"bloc2\">Veuillez patienter, traitement en cours / Please wait, processing</div>\n"
                + "<meta http-equiv=\"refresh\" content=\"30;url=/end.pl?xid=\(HTMLText.escape(xid))\">")
    }

    /// end.pl's report: a `premium` table, one row per file.
    static func report(_ report: UploadSessions.Report) -> String {
        var rows = "<tr><th>Nom du fichier</th><th>Taille</th><th>Lien de téléchargement</th><th>Lien de suppression</th></tr>\n"
        for link in report.links {
            let download = HTMLText.escape(link.download)
            let remove = link.remove.isEmpty ? "--" : "<a href=\"\(HTMLText.escape(link.remove))\">\(HTMLText.escape(link.remove))</a>"
            rows += "<tr><td>\(HTMLText.escape(link.filename))</td><td>\(FrenchSize.format(link.size))</td>"
                + "<td class=\"normal\"><a href=\"\(download)\">\(download)</a></td><td>\(remove)</td></tr>\n"
        }
        return page(
            title: "1fichier.com: Envoi terminé",
            body: "<div class=\"bloc2\">Vos fichiers ont été envoyés / Your files have been uploaded</div>\n"
                + "<table class=\"premium\">\n\(rows)</table>\n"
                + "<div class=\"bloc3\">Cette page ne sera plus accessible d'ici quelques minutes.</div>")
    }

    /// A publicly shared folder (`/dir/<id>` without `json=1`).
    static func sharedFolder(name: String, files: [StoredFile]) -> String {
        var rows = "<tr><th>Nom du fichier</th><th>Taille</th></tr>\n"
        for file in files {
            rows += "<tr><td class=\"normal\"><a href=\"\(HTMLText.escape(file.url))\">\(HTMLText.escape(file.name))</a></td>"
                + "<td>\(FrenchSize.format(file.size))</td></tr>\n"
        }
        return page(
            title: "1fichier.com: \(HTMLText.escape(name))",
            body: "<div class=\"bloc2\">\(HTMLText.escape(name))</div>\n<table class=\"premium\">\n\(rows)</table>")
    }
}
