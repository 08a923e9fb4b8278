import Foundation
import FichierAPI

extension MethodRegistry {
    /// Registers `name` with params read straight from the request line by `read` (see
    /// `SecretParams`), for methods that carry secrets: no `JSONDecoder`, `Data` or `String`
    /// copy of the secret is made, and its bytes in the line are wiped.
    mutating func registerReadingSecrets<P: Sendable, R: Encodable & Sendable>(
        _ name: String, kind: MethodKind = .call,
        read: @escaping @Sendable (SecretParams) throws(RPCError) -> P,
        _ handler: @escaping @Sendable (P, RequestContext) async throws -> R
    ) {
        entries[name] = MethodEntry(body: .task(kind) { line, range, _ throws(RPCError) in
            let params = try read(try SecretParams(line: line, range: range))
            return PreparedCall(keys: []) { context in
                let result = try await handler(params, context)
                return try Array(ResultEncoding.encoder.encode(result))
            }
        })
    }

    /// Makes each of `names` wait, before its handler runs, for the `vault/unlock` requests
    /// that arrived before it, so a client may pipeline an unlock and the requests that need
    /// it.
    mutating func holdBehindPendingUnlocks(_ names: [String], of vault: SessionVault) {
        wrap(names) { prepared in
            let earlier = vault.pendingUnlocks()
            return PreparedCall(keys: prepared.keys) { context in
                for unlock in earlier { await unlock.wait() }
                return try await prepared.invoke(context)
            }
        }
    }

    /// Gates the 1fichier methods `names` on the session vault: each waits for the unlocks
    /// that arrived before it; when the API key comes from the vault (`keyFromVault`), it
    /// answers `vault_locked` (1600) at once while the vault is locked, and an `auth_missing`
    /// caused by a lock while it ran becomes `vault_locked` as well.
    public mutating func gate(_ names: [String], on vault: SessionVault, keyFromVault: Bool) {
        wrap(names) { prepared in
            let earlier = vault.pendingUnlocks()
            return PreparedCall(keys: prepared.keys) { context in
                for unlock in earlier { await unlock.wait() }
                guard keyFromVault else { return try await prepared.invoke(context) }
                if !vault.isUnlocked {
                    if !vault.exists { throw RPCError.vaultMissing("\(context.method) needs the API key", path: vault.path) }
                    throw RPCError.vaultLocked("\(context.method) needs the API key")
                }
                do {
                    return try await prepared.invoke(context)
                } catch let error as RPCError where error.code == RPCErrorCode.authMissing.rawValue && !vault.isUnlocked {
                    var locked = RPCError.vaultLocked("\(context.method) needs the API key")
                    locked.data.path = error.data.path
                    locked.data.subject = error.data.subject
                    locked.data.partial = error.data.partial
                    throw locked
                } catch let error as FichierError where error.kind == .authMissing && !vault.isUnlocked {
                    throw RPCError.vaultLocked("\(context.method) needs the API key")
                }
            }
        }
    }

    /// Replaces the prepared call of each task method in `names` by `transform(call)`, built
    /// when the request arrives (on the reader thread, in arrival order).
    private mutating func wrap(_ names: [String], _ transform: @escaping @Sendable (PreparedCall) -> PreparedCall) {
        for name in names {
            guard let entry = entries[name], case .task(let kind, let prepare) = entry.body else { continue }
            entries[name] = MethodEntry(body: .task(kind) { line, range, decoder throws(RPCError) in
                transform(try prepare(line, range, decoder))
            })
        }
    }
}
