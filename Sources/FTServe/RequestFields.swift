import FTCore

/// Reading a JSON request body field by field, with the API's messages for each mistake
/// (`param` names the field, as the API does).
struct RequestFields {
    let record: Record

    init(json text: String) throws(APIError) {
        let value: Value
        do { value = try JSON.decode(text, file: "body") } catch {
            throw .invalid("We could not parse the JSON body of your request. (\(error.message))", code: "invalid_json")
        }
        guard let r = value.recordValue else { throw .invalid("The request body must be a JSON object.", code: "invalid_json") }
        record = r
    }

    init(_ record: Record) { self.record = record }

    func has(_ key: String) -> Bool { record[key] != nil && record[key] != .null }

    func string(_ key: String, required: Bool = false, prefix: String = "") throws(APIError) -> String? {
        switch record[key] {
        case nil, .null?:
            if required { throw .invalid("Missing required parameter: '\(prefix + key)'.", param: prefix + key, code: "missing_required_parameter") }
            return nil
        case .string(let s)?: return s
        case let v?: throw .invalid("\(JSON.encode(v)) is not of type 'string' - '\(prefix + key)'", param: prefix + key, code: "invalid_type")
        }
    }

    func integer(_ key: String, in range: ClosedRange<Int>, prefix: String = "") throws(APIError) -> Int? {
        guard let v = record[key], v != .null else { return nil }
        guard let n = v.intValue else {
            throw .invalid("\(JSON.encode(v)) is not of type 'integer' - '\(prefix + key)'", param: prefix + key, code: "invalid_type")
        }
        guard range.contains(n) else {
            throw .invalid("\(n) is out of range \(range.lowerBound)...\(range.upperBound) - '\(prefix + key)'", param: prefix + key,
                           code: "invalid_value")
        }
        return n
    }

    func number(_ key: String, prefix: String = "") throws(APIError) -> Double? {
        guard let v = record[key], v != .null else { return nil }
        guard let n = v.numberValue, n.isFinite else {
            throw .invalid("\(JSON.encode(v)) is not of type 'number' - '\(prefix + key)'", param: prefix + key, code: "invalid_type")
        }
        return n
    }

    func object(_ key: String, prefix: String = "") throws(APIError) -> RequestFields? {
        guard let v = record[key], v != .null else { return nil }
        guard let r = v.recordValue else {
            throw .invalid("\(JSON.encode(v)) is not of type 'object' - '\(prefix + key)'", param: prefix + key, code: "invalid_type")
        }
        return RequestFields(r)
    }

    /// `"auto"` (nil) or an integer within `range`.
    func autoOrInteger(_ key: String, in range: ClosedRange<Int>, prefix: String) throws(APIError) -> Int? {
        if record[key] == .string("auto") { return nil }
        return try integer(key, in: range, prefix: prefix)
    }

    /// `"auto"` (nil) or a positive number.
    func autoOrPositive(_ key: String, prefix: String) throws(APIError) -> Double? {
        if record[key] == .string("auto") { return nil }
        guard let n = try number(key, prefix: prefix) else { return nil }
        guard n > 0 else { throw .invalid("\(Value.format(n)) must be greater than 0 - '\(prefix + key)'", param: prefix + key, code: "invalid_value") }
        return n
    }
}
