extension RPCError {
    /// Appends the compact JSON error object.
    func write(to writer: inout JSONWriter) {
        writer.raw("{\"code\":")
        writer.integer(code)
        writer.raw(",\"message\":")
        writer.string(message)
        writer.raw(",\"data\":")
        data.write(to: &writer)
        writer.raw("}")
    }
}

extension ErrorData {
    func write(to writer: inout JSONWriter) {
        writer.raw("{\"kind\":")
        writer.string(kind)
        writer.raw(",\"retryable\":")
        writer.bool(retryable)
        if let retryAfterMs {
            writer.raw(",\"retryAfterMs\":")
            writer.integer(retryAfterMs)
        }
        if let provider {
            writer.raw(",\"provider\":{")
            var first = true
            func separator(_ writer: inout JSONWriter) {
                if !first { writer.raw(",") }
                first = false
            }
            if let status = provider.httpStatus {
                separator(&writer); writer.raw("\"httpStatus\":"); writer.integer(status)
            }
            if let code = provider.code {
                separator(&writer); writer.raw("\"code\":"); writer.integer(code)
            }
            if let message = provider.message {
                separator(&writer); writer.raw("\"message\":"); writer.string(message)
            }
            writer.raw("}")
        }
        if let errors {
            writer.raw(",\"errors\":[")
            for (index, problem) in errors.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.raw("{\"path\":")
                writer.string(problem.path)
                writer.raw(",\"problem\":")
                writer.string(problem.problem)
                writer.raw("}")
            }
            writer.raw("]")
        }
        if let partial {
            writer.raw(",\"partial\":")
            writer.raw(partial.bytes)
        }
        if let path {
            writer.raw(",\"path\":")
            writer.string(path)
        }
        if let subject {
            writer.raw(",\"subject\":")
            writer.string(subject)
        }
        if let remoteStateUnknown {
            writer.raw(",\"remoteStateUnknown\":")
            writer.bool(remoteStateUnknown)
        }
        for (name, list) in [("supported", supported), ("requested", requested)] {
            guard let list else { continue }
            writer.raw(",")
            writer.string(name)
            writer.raw(":[")
            for (index, version) in list.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.integer(version)
            }
            writer.raw("]")
        }
        writer.raw("}")
    }
}
