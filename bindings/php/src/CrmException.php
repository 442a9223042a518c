<?php

declare(strict_types=1);

namespace Libcrm;

/**
 * Base class of every libcrm failure.
 *
 * A failed C call throws the subclass of its status (Libcrm\Exception\InvalidException,
 * ParseException, ...; Capi::STATUS_EXCEPTIONS) with the library's message, read from
 * crm_last_error() right after the call: it names the argument, column, line or value at
 * fault, and CSV errors hold file:line:column.
 */
class CrmException extends \RuntimeException
{
    /** The crm_status code (e.g. -4 for CRM_E_PARSE); null when not from a C call. */
    public readonly ?int $status;

    /** The status name, e.g. "CRM_E_PARSE" (CRM_E_UNKNOWN when not from a C call). */
    public readonly string $statusName;

    public function __construct(string $message, ?int $status = null,
                                string $statusName = 'CRM_E_UNKNOWN', ?\Throwable $previous = null)
    {
        parent::__construct($message, $status ?? 0, $previous);
        $this->status = $status;
        $this->statusName = $statusName;
    }
}
