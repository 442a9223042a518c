<?php

/*
 * PSR-4 autoloader of the libcrm package (namespace Libcrm => src/), for use
 * without Composer:
 *
 *     require '/path/to/bindings/php/autoload.php';
 *
 * With Composer the "autoload" section of composer.json does the same.
 */

declare(strict_types=1);

spl_autoload_register(static function (string $class): void {
    $prefix = 'Libcrm\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/src/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require $file;
    }
});
