import FichierAPI

extension UploadMethod {
    /// Where an upload is stored: the user's target, or for an encrypted upload the same
    /// folder with the stored name (`NAME.age`, or the encrypted name).
    static func stored(_ target: Target, plan: SessionEncryption.UploadPlan) throws(RPCError) -> Target {
        guard plan.encrypts else { return target }
        let name = try plan.remoteName(for: target.name)
        do {
            return Target(folder: target.folder, name: name, path: try target.folder.appending(name))
        } catch {
            throw RPCError.invalidParams(path: "remote", problem: "the stored name \(name) is not valid: \(error.message)")
        }
    }

    /// The result as the user sees it: for an encrypted upload the user's name and path,
    /// with the stored name in `remoteName` and the plaintext size.
    static func decorated(_ result: Result, user: Target, plan: SessionEncryption.UploadPlan) -> Result {
        guard plan.encrypts else { return result }
        var decorated = result
        decorated.encrypted = true
        decorated.remoteName = result.name
        decorated.name = user.name
        decorated.path = user.path.description
        // A skipped upload sent nothing: the existing file's plaintext size is not known here.
        decorated.plaintextSize = result.skipped ? nil : plan.stage?.report.plaintextSize
        return decorated
    }
}
