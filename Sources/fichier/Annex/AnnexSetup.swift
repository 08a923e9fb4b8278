/// Opens the backend once per process, whichever conversation asks first.
actor AnnexSetup {
    private var opening: (settings: AnnexSettings, task: Task<AnnexBackend, any Error>)?

    func backend(settings: AnnexSettings, source: AnnexConnectionSource) async -> Result<AnnexBackend, AnnexSetupError> {
        if opening == nil {
            opening = (settings, Task {
                try await AnnexBackend.open(try source.options(for: settings))
            })
        }
        guard let opening else { return .failure(AnnexSetupError("internal error: no connection")) }
        if opening.settings != settings {
            return .failure(AnnexSetupError("the remote's configuration changed while it was in use; run the command again"))
        }
        do {
            return .success(try await opening.task.value)
        } catch {
            self.opening = nil
            return .failure(AnnexSetupError("cannot connect: \(error)"))
        }
    }

    func close() async {
        guard let opening else { return }
        self.opening = nil
        if let backend = try? await opening.task.value {
            await backend.close()
        }
    }
}
