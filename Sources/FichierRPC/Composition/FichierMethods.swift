/// The 1fichier methods of the protocol, registered in one place.
public enum FichierMethods {
    /// Every 1fichier method name (the session methods come from `RPCServer`).
    public static let names = [
        "account/info",
        "fs/copy", "fs/delete", "fs/list", "fs/mkdir", "fs/move", "fs/rename", "fs/rmdir", "fs/stat",
        "link/get",
        "transfer/download", "transfer/remote", "transfer/remote/status", "transfer/upload",
    ]

    /// Registers every 1fichier method against `service`.
    public static func register(in registry: inout MethodRegistry, service: FichierService) {
        AccountInfoMethod.register(in: &registry, service: service)
        ListMethod.register(in: &registry, service: service)
        StatMethod.register(in: &registry, service: service)
        MkdirMethod.register(in: &registry, service: service)
        RmdirMethod.register(in: &registry, service: service)
        DeleteMethod.register(in: &registry, service: service)
        RenameMethod.register(in: &registry, service: service)
        MoveMethod.register(in: &registry, service: service)
        CopyMethod.register(in: &registry, service: service)
        UploadMethod.register(in: &registry, service: service)
        DownloadMethod.register(in: &registry, service: service)
        RemoteUploadMethods.register(in: &registry, service: service)
        LinkMethod.register(in: &registry, service: service)
    }
}
